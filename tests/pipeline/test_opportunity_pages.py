"""The company's own pipeline: create, list with filters, edit with conflict detection, archive."""

import datetime
import re

import pytest
from django_tenants.utils import schema_context

from pipeline.errors import EditConflict
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from tests.builders import client_on
from tests.sharing.helpers import SECRET, opportunity_make, shared_opportunity_make

GOOD = {
    "name": "Initech — 40 seats",
    "customer_name": "Initech",
    "customer_domain": "initech.example",
    "amount": "48000",
    "currency": "eur",
    "close_date": "2027-06-30",
    "stage": "propose",
    "motion": "sell_through",
    "next_step": "Send quote",
    "private_notes": "Budget is tight",
}


def in_schema(world, fn):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return fn()


@pytest.mark.django_db
def test_member_creates_an_opportunity_private_to_the_company(acme, globex):
    response = client_on(acme.host, acme.member).post("/pipeline/new/", GOOD)
    assert response.status_code == 302
    opportunity = in_schema(acme, lambda: Opportunity.objects.get(customer_name="Initech"))
    assert opportunity.currency == "EUR" and opportunity.owner_id == acme.member.pk
    assert (
        in_schema(globex, lambda: Opportunity.objects.filter(customer_name="Initech").exists())
        is False
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": "-5"}, "greater than or equal to 0"),
        ({"amount": "lots"}, "Enter a number"),
        ({"close_date": "31/02/2027"}, "Enter a valid date"),
        ({"stage": "dreaming"}, "Select a valid choice"),
        ({"currency": "E1"}, "three-letter ISO 4217"),
        ({"customer_name": ""}, "This field is required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(acme, change, message):
    response = client_on(acme.host, acme.member).post("/pipeline/new/", {**GOOD, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert in_schema(acme, lambda: Opportunity.objects.count()) == 0


@pytest.mark.django_db
def test_list_filters_sorts_and_keeps_queries_bounded(acme, django_assert_max_num_queries):
    for i, stage in enumerate(["prospect", "qualify", "propose", "won"] * 5):
        opportunity_make(acme, customer_name=f"Customer {i:02d}", stage=stage, amount=1000 + i)
    client = client_on(acme.host, acme.member)
    # 12 + the business schema's field definitions + the session's record (written on its
    # first request, then at most every five minutes)
    with django_assert_max_num_queries(14):
        response = client.get("/pipeline/?stage=won&sort=-amount")
    body = response.content.decode()
    assert len(re.findall(r">Customer \d\d</a>", body)) == 5
    assert body.index("Customer 19") < body.index("Customer 03")
    assert "Customer 00" not in body


@pytest.mark.django_db
def test_edit_conflict_shows_both_values_and_overwrites_nothing(acme):
    opportunity = opportunity_make(acme)
    client = client_on(acme.host, acme.member)
    # someone else saves first
    in_schema(
        acme,
        lambda: opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=opportunity,
            data={"next_step": "Theirs"},
            expected_version=1,
        ),
    )
    response = client.post(
        f"/pipeline/{opportunity.pk}/edit/",
        {**GOOD, "customer_name": "Umbrella Corp", "next_step": "Mine", "version": 1},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="edit-conflict"' in body and "Theirs" in body and "Mine" in body
    assert in_schema(acme, lambda: Opportunity.objects.get(pk=opportunity.pk).next_step) == "Theirs"
    # saving again from the refreshed form (now at version 2) goes through
    again = client.post(
        f"/pipeline/{opportunity.pk}/edit/",
        {**GOOD, "customer_name": "Umbrella Corp", "next_step": "Mine", "version": 2},
    )
    assert again.status_code == 302
    assert in_schema(acme, lambda: Opportunity.objects.get(pk=opportunity.pk).next_step) == "Mine"


@pytest.mark.django_db
def test_service_refuses_a_stale_version(acme):
    opportunity = opportunity_make(acme)
    with schema_context(acme.company.schema_name):
        opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=opportunity,
            data={"stage": "won"},
            expected_version=1,
        )
        with pytest.raises(EditConflict) as exc:
            opportunity_update(
                actor=acme.owner,
                company=acme.company,
                opportunity=opportunity,
                data={"stage": "lost"},
                expected_version=1,
            )
        assert exc.value.theirs["stage"] == "won" and exc.value.yours["stage"] == "lost"
        assert Opportunity.objects.get(pk=opportunity.pk).stage == "won"


@pytest.mark.django_db
def test_owner_edit_republishes_shareable_fields_only(acme):
    opportunity, record = shared_opportunity_make(acme)
    client_on(acme.host, acme.owner).post(
        f"/pipeline/{opportunity.pk}/edit/",
        {
            **GOOD,
            "customer_name": "Umbrella Corp",
            "stage": "negotiate",
            "private_notes": SECRET + " v2",
            "version": 1,
        },
    )
    record.refresh_from_db()
    assert record.stage == "negotiate" and record.version == 2
    assert "private_notes" not in record.payload


@pytest.mark.django_db
def test_archive_hides_it_from_the_list(acme):
    opportunity = opportunity_make(acme, customer_name="Gone Inc")
    client = client_on(acme.host, acme.member)
    client.post(f"/pipeline/{opportunity.pk}/archive/")
    assert b">Gone Inc</a>" not in client.get("/pipeline/").content
    assert (
        in_schema(acme, lambda: Opportunity.objects.get(pk=opportunity.pk).archived_at) is not None
    )


@pytest.mark.django_db
def test_another_companys_opportunity_id_is_404_here(acme, globex):
    theirs = opportunity_make(globex)
    client = client_on(acme.host, acme.owner)
    assert client.get(f"/pipeline/{theirs.pk}/").status_code == 404
    assert client.post(f"/pipeline/{theirs.pk}/archive/").status_code == 404
    assert in_schema(globex, lambda: Opportunity.objects.get(pk=theirs.pk).archived_at) is None


@pytest.mark.django_db
def test_created_date_renders(acme):
    opportunity = opportunity_make(acme, close_date=datetime.date(2027, 1, 15))
    assert (
        b"Jan 15, 2027"
        in client_on(acme.host, acme.member).get(f"/pipeline/{opportunity.pk}/").content
    )

"""Fields shared, but not with everyone: the owner's policy withholds fields from partners of
a type (its own classification) or with a part in the deal (set by the owner). Every read
path a partner has — page, API, inbox, export, activity, view as — leaves them out, and
changes to the policy, the classification or the part apply to records already shared."""

import csv
import io

import pytest
from django_tenants.utils import schema_context

from business.policy import sharing_policy_update
from business.services import field_create
from partners.relationships.models import PartnerRelationship
from sharing.models import Participation
from sharing.records.services.sharing import participation_deal_role_assign, sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make


def _classify(owner, partner, partner_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client_on(owner.host, owner.admin).patch(
        f"/api/v1/partner-relationships/{partner.company.slug}/",
        {"partner_type": partner_type},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _withhold(owner, withheld: dict) -> None:  # type: ignore[no-untyped-def]
    with schema_context(owner.company.schema_name):
        sharing_policy_update(
            actor=owner.admin, company=owner.company, data={"withheld_fields": withheld}
        )


def _share(owner, record, partner, role="contributor", deal_role=None) -> None:  # type: ignore[no-untyped-def]
    sharing_entry_set(
        actor=owner.owner,
        actor_membership=membership(owner),
        record=record,
        partner=partner.company,
        role=role,
        deal_role=deal_role,
    )


@pytest.fixture
def reseller_world(acme, globex):  # type: ignore[no-untyped-def]
    """acme shares one deal with globex (its reseller) and with a technology partner."""
    tech = company_make("wh-tech")
    partners_make(acme, globex)
    partners_make(acme, tech)
    _classify(acme, globex, "reseller")
    _classify(acme, tech, "isv")
    _, record = shared_opportunity_make(acme)
    _share(acme, record, globex)
    _share(acme, record, tech)
    return record, tech


@pytest.mark.django_db
def test_amount_withheld_from_resellers_on_every_read_path(acme, globex, reseller_world):
    record, tech = reseller_world
    _withhold(acme, {"opportunity": {"amount": {"partner_types": ["reseller"]}}})
    reseller = client_on(globex.host, globex.member)
    page = reseller.get(f"/shared/{record.pk}/").content.decode()
    assert "Umbrella Corp" in page and "125,000" not in page and "shared-amount" not in page
    detail = reseller.get(f"/api/v1/shared/{record.pk}/").json()
    assert "amount" not in detail["payload"] and detail["payload"]["customer_name"]
    listed = reseller.get("/api/v1/shared/").json()["results"]
    assert all("amount" not in r["payload"] for r in listed)
    inbox = reseller.get("/api/v1/shared/?shared_with_me=true").json()["results"]
    assert inbox and all("amount" not in r["payload"] for r in inbox)
    export = b"".join(reseller.get("/shared/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert rows and all(r["amount"] == "" for r in rows)
    # the technology partner and the owner still read it
    other = client_on(tech.host, tech.member).get(f"/api/v1/shared/{record.pk}/").json()
    assert other["payload"]["amount"] == "125000.00"
    owner = client_on(acme.host, acme.member).get(f"/api/v1/shared/{record.pk}/").json()
    assert owner["payload"]["amount"] == "125000.00"
    # the owner's panel says what is withheld from whom
    panel = client_on(acme.host, acme.member).get(f"/pipeline/{record.source_id}/").content
    assert (
        b'data-testid="withheld-globex"' in panel and b'data-testid="withheld-wh-tech"' not in panel
    )


@pytest.mark.django_db
def test_policy_and_classification_changes_apply_to_records_already_shared(
    acme, globex, reseller_world
):
    record, tech = reseller_world
    reseller = client_on(globex.host, globex.member)
    assert "amount" in reseller.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    response = client_on(acme.host, acme.admin).post(
        "/settings/sharing-policy/",
        {
            "sharer_roles": ["admin", "member"],
            "default_role": "contributor",
            "allow_participant_resharing": "on",
            "wh:opportunity:amount:t:reseller": "on",
            "wh:opportunity:next_step:t:isv": "on",
        },
    )
    assert response.status_code == 302
    assert "amount" not in reseller.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    tech_payload = client_on(tech.host, tech.member).get(f"/api/v1/shared/{record.pk}/").json()
    assert "next_step" not in tech_payload["payload"] and "amount" in tech_payload["payload"]
    # globex is re-classified: it reads the amount again, and loses the next step
    _classify(acme, globex, "isv")
    payload = reseller.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    assert "amount" in payload and "next_step" not in payload


@pytest.mark.django_db
def test_deal_role_set_by_the_owner_decides_and_the_partner_cannot_change_it(acme, globex):
    partners_make(acme, globex)
    _withhold(
        acme,
        {"opportunity": {"close_date": {"deal_roles": ["influenced", "_unassigned"]}}},
    )
    _, record = shared_opportunity_make(acme)
    _share(acme, record, globex)
    partner = client_on(globex.host, globex.member)
    assert "close_date" not in partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    # the partner calls itself fulfilling: that does not widen what it sees
    part = Participation.objects.get(record=record, company=globex.company)
    response = partner.patch(
        f"/api/v1/shared/{record.pk}/section/",
        {"version": part.version, "deal_role": "fulfilling"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "close_date" not in partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    # the owner sets it: fulfilling partners read the close date, and the part is fixed
    client_on(acme.host, acme.owner).post(
        f"/pipeline/{record.source_id}/share/globex/deal-role/", {"deal_role": "fulfilling"}
    )
    assert partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]["close_date"]
    part.refresh_from_db()
    assert part.deal_role_set_by_owner and part.deal_role == "fulfilling"
    refused = partner.patch(
        f"/api/v1/shared/{record.pk}/section/",
        {"version": part.version, "deal_role": "sourced"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "set your part in this deal" in refused.json()["detail"]
    page = partner.get(f"/shared/{record.pk}/").content.decode()
    assert 'data-testid="deal-role-fixed"' in page
    with schema_context(acme.company.schema_name):
        participation_deal_role_assign(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            deal_role="influenced",
        )
    assert "close_date" not in partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]


@pytest.mark.django_db
def test_a_partner_cannot_edit_or_read_back_a_withheld_field(acme, globex):
    partners_make(acme, globex)
    _classify(acme, globex, "reseller")
    _, record = shared_opportunity_make(acme)
    _share(acme, record, globex)
    # acme's own people move the close date (the activity records before/after)
    owner_api = client_on(acme.host, acme.member)
    owner_api.patch(
        f"/api/v1/shared/{record.pk}/collaborate/",
        {"version": 1, "close_date": "2027-06-30"},
        content_type="application/json",
    )
    _withhold(acme, {"opportunity": {"close_date": {"partner_types": ["reseller"]}}})
    partner = client_on(globex.host, globex.member)
    refused = partner.patch(
        f"/api/v1/shared/{record.pk}/collaborate/",
        {"version": 2, "close_date": "2028-01-01", "next_step": "Call"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "close date" in refused.json()["detail"]
    record.refresh_from_db()
    assert record.version == 2 and record.payload["close_date"] == "2027-06-30"
    page = partner.get(f"/shared/{record.pk}/").content.decode()
    assert "2027-06-30" not in page and "2027-03-31" not in page
    assert 'name="close_date"' not in page
    assert (
        "2027-06-30"
        in client_on(acme.host, acme.member).get(f"/shared/{record.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_view_as_shows_what_the_policy_withholds(acme, globex, reseller_world):
    record, _ = reseller_world
    _withhold(acme, {"opportunity": {"amount": {"partner_types": ["reseller"]}}})
    preview = client_on(acme.host, acme.member).get(f"/pipeline/{record.source_id}/preview/globex/")
    assert preview.status_code == 200
    assert b"shared-amount" not in preview.content
    tech = client_on(acme.host, acme.member).get(f"/pipeline/{record.source_id}/preview/wh-tech/")
    assert b"shared-amount" in tech.content


@pytest.mark.django_db
def test_shareable_custom_fields_can_be_withheld_too(acme, globex):
    partners_make(acme, globex)
    _classify(acme, globex, "reseller")
    with schema_context(acme.company.schema_name):
        field_create(
            actor=acme.owner,
            company=acme.company,
            data={
                "object_type": "opportunity",
                "key": "discount",
                "label": "Discount",
                "field_type": "percent",
                "shareable": True,
            },
        )
    _, record = shared_opportunity_make(acme, custom={"discount": 12})
    _share(acme, record, globex)
    partner = client_on(globex.host, globex.member)
    assert partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]["custom"]
    _withhold(acme, {"opportunity": {"custom.discount": {"partner_types": ["reseller"]}}})
    payload = partner.get(f"/api/v1/shared/{record.pk}/").json()["payload"]
    assert "custom" not in payload
    assert b"Discount" not in partner.get(f"/shared/{record.pk}/").content


@pytest.mark.django_db
def test_a_bad_policy_is_refused_whole_and_changes_nothing(acme):
    from django.core.exceptions import ValidationError

    with schema_context(acme.company.schema_name), pytest.raises(ValidationError) as refused:
        sharing_policy_update(
            actor=acme.admin,
            company=acme.company,
            data={
                "default_role": "viewer",
                "withheld_fields": {
                    "opportunity": {
                        "customer_name": {"partner_types": ["reseller"]},
                        "amount": {"partner_types": ["martians"]},
                    }
                },
            },
        )
    problems = refused.value.message_dict["withheld_fields"]
    assert any("customer_name can't be withheld" in p for p in problems)
    assert any("martians" in p for p in problems)
    with schema_context(acme.company.schema_name):
        from business.policy import sharing_policy

        policy = sharing_policy()
        assert policy.default_role == "contributor" and policy.withheld_fields == {}
    page = client_on(acme.host, acme.admin).post(
        "/settings/sharing-policy/",
        {"default_role": "viewer", "wh:opportunity:amount:t:martians": "on"},
    )
    assert page.status_code == 200 and "martians" in page.content.decode()


@pytest.mark.django_db
def test_withheld_lists_are_stored_per_participant_and_hold_no_values(acme, globex, reseller_world):
    record, tech = reseller_world
    _withhold(acme, {"opportunity": {"amount": {"partner_types": ["reseller"]}}})
    rows = dict(
        Participation.objects.filter(record=record).values_list("company__slug", "withheld")
    )
    assert rows == {"acme": [], "globex": ["amount"], "wh-tech": []}
    with schema_context(acme.company.schema_name):
        assert PartnerRelationship.objects.count() == 2


@pytest.mark.django_db
def test_a_partners_collaborative_edit_answers_without_the_withheld_fields(
    acme, globex, reseller_world
):
    record, _ = reseller_world
    _withhold(acme, {"opportunity": {"amount": {"partner_types": ["reseller"]}}})
    response = client_on(globex.host, globex.member).patch(
        f"/api/v1/shared/{record.pk}/collaborate/",
        {"version": record.version, "next_step": "Pricing call"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["payload"]["next_step"] == "Pricing call" and "amount" not in body["payload"]


@pytest.mark.django_db
def test_adopting_copies_only_what_the_partner_may_read_whatever_object_is_passed(
    acme, globex, reseller_world
):
    """The service re-reads the record through the access function: a caller that hands it
    the owner's full network copy still gets no withheld field into the partner's pipeline."""
    from pipeline.models import Opportunity
    from sharing.collaboration.services.collaboration import shared_record_adopt
    from sharing.models import SharedRecord

    record, _ = reseller_world
    _withhold(acme, {"opportunity": {"amount": {"partner_types": ["reseller"]}}})
    unfiltered = SharedRecord.objects.get(pk=record.pk)
    assert unfiltered.payload["amount"] == "125000.00"
    with schema_context(globex.company.schema_name):
        shared_record_adopt(
            actor=globex.member,
            actor_membership=membership(globex, globex.member),
            record=unfiltered,
        )
        copy = Opportunity.objects.get(adopted_from_id=record.pk)
    assert copy.amount == 0 and copy.customer_name == "Umbrella Corp"

"""Deal names: an opportunity is called by its own name ("Contoso — 500 seats renewal") on its
pages, in search and sort, in the API and, once shared, as the network record's title; its
customer stays a field of its own. Deals from before names read as they did."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import Account
from accounts.services import account_update
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from sharing.models import SharedRecord
from sharing.records.services.sharing import sharing_entry_set
from tests.api.test_api import OPPORTUNITY, api
from tests.builders import client_on
from tests.sharing.helpers import (
    membership,
    opportunity_make,
    partners_make,
    shared_opportunity_make,
)

NEW = {
    "name": "Initech — 40 seats",
    "customer_name": "Initech",
    "customer_domain": "initech.example",
    "amount": "48000",
    "currency": "eur",
    "close_date": "2027-06-30",
    "stage": "propose",
    "motion": "sell_through",
}


def in_schema(world, fn):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return fn()


@pytest.mark.django_db
def test_a_new_deal_is_named_and_its_pages_show_the_name_with_the_customer_beside_it(acme, globex):
    client = client_on(acme.host, acme.member)
    unnamed = client.post("/pipeline/new/", {**NEW, "name": ""})
    assert unnamed.status_code == 200 and "This field is required" in unnamed.content.decode()
    assert in_schema(acme, lambda: Opportunity.objects.count()) == 0
    response = client.post("/pipeline/new/", NEW)
    assert response.status_code == 302
    deal = in_schema(acme, lambda: Opportunity.objects.get())
    assert (deal.name, deal.customer_name) == ("Initech — 40 seats", "Initech")
    detail = client.get(f"/pipeline/{deal.pk}/").content.decode()
    assert "<h1>Initech — 40 seats" in detail
    assert 'data-testid="customer"><a href="/customers/' in detail and ">Initech</a>" in detail
    listing = client.get("/pipeline/").content.decode()
    assert ">Initech — 40 seats</a>" in listing and 'data-testid="customer">Initech<' in listing
    form = client.get(f"/pipeline/{deal.pk}/edit/").content.decode()
    assert 'value="Initech — 40 seats"' in form
    # cleared on an edit: called by its customer again
    client.post(f"/pipeline/{deal.pk}/edit/", {**NEW, "name": "", "version": 1})
    assert in_schema(acme, lambda: Opportunity.objects.get().name) == "Initech"
    assert client_on(globex.host, globex.member).get(f"/pipeline/{deal.pk}/").status_code == 404


@pytest.mark.django_db
def test_search_and_sort_go_by_the_deal_name_too(acme):
    opportunity_make(acme, customer_name="Umbrella", name="Zeta rollout")
    opportunity_make(acme, customer_name="Initech", name="Alpha pilot")
    client = client_on(acme.host, acme.member)
    found = client.get("/pipeline/?q=pilot").content.decode()
    assert ">Alpha pilot</a>" in found and "Zeta rollout" not in found
    assert ">Zeta rollout</a>" in client.get("/pipeline/?q=umbrella").content.decode()
    page = client.get("/pipeline/?sort=name").content.decode()
    assert page.index("Alpha pilot") < page.index("Zeta rollout")
    page = client.get("/pipeline/?sort=-name").content.decode()
    assert page.index("Zeta rollout") < page.index("Alpha pilot")
    listed = api(acme).get("/api/v1/opportunities/?ordering=-name").json()["results"]
    assert [o["name"] for o in listed] == ["Zeta rollout", "Alpha pilot"]


@pytest.mark.django_db
def test_the_api_takes_and_gives_the_name_and_defaults_it_to_the_customer(acme):
    client = api(acme)
    unnamed = client.post("/api/v1/opportunities/", OPPORTUNITY, content_type="application/json")
    assert unnamed.status_code == 201 and unnamed.json()["name"] == "Soylent"
    named = client.post(
        "/api/v1/opportunities/",
        {**OPPORTUNITY, "name": "  Soylent —   plant  2 "},
        content_type="application/json",
    ).json()
    assert named["name"] == "Soylent — plant 2" and named["customer_name"] == "Soylent"
    renamed = client.patch(
        f"/api/v1/opportunities/{named['id']}/",
        {"name": "Soylent — plant 3", "version": 1},
        content_type="application/json",
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Soylent — plant 3"
    too_long = client.post(
        "/api/v1/opportunities/",
        {**OPPORTUNITY, "name": "x" * 201},
        content_type="application/json",
    )
    assert too_long.status_code == 400 and "name" in too_long.json()
    # an account alone names the customer (customer_name is not needed with it)
    account_id = named["account"]
    with_account = client.post(
        "/api/v1/opportunities/",
        {**{k: v for k, v in OPPORTUNITY.items() if k != "customer_name"}, "account": account_id},
        content_type="application/json",
    )
    assert with_account.status_code == 201, with_account.content
    assert with_account.json()["customer_name"] == "Soylent"


@pytest.mark.django_db
def test_a_shared_deal_is_titled_by_its_name_and_partners_still_read_the_customer(acme, globex):
    partners_make(acme, globex)
    opportunity, record = shared_opportunity_make(acme, name="Umbrella — 500 seats renewal")
    assert record.title == "Umbrella — 500 seats renewal"
    assert record.payload["customer_name"] == "Umbrella Corp"
    assert record.payload["name"] == "Umbrella — 500 seats renewal"
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    page = client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").content.decode()
    assert "<h1>Umbrella — 500 seats renewal</h1>" in page and "Umbrella Corp" in page
    in_schema(
        acme,
        lambda: opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=opportunity,
            data={"name": "Umbrella — 800 seats renewal"},
            expected_version=1,
        ),
    )
    record.refresh_from_db()
    assert record.title == "Umbrella — 800 seats renewal" and record.version == 2
    # no policy can keep the name back: it is the record's title
    from business.policy import privatizable_fields

    assert "name" not in in_schema(acme, privatizable_fields)["opportunity"]
    assert "customer_name" not in in_schema(acme, privatizable_fields)["opportunity"]


@pytest.mark.django_db
def test_adopting_a_partners_deal_keeps_its_name(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme, name="Umbrella — 500 seats renewal")
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    client_on(globex.host, globex.member).post(f"/shared/{record.pk}/adopt/")
    with schema_context(globex.company.schema_name):
        adopted = Opportunity.objects.get(adopted_from_id=record.pk)
        assert adopted.name == "Umbrella — 500 seats renewal"
        assert adopted.customer_name == "Umbrella Corp"


@pytest.mark.django_db
def test_a_deal_named_as_its_customer_follows_an_account_rename_and_a_named_one_keeps_its_name(
    acme,
):
    default = opportunity_make(acme)  # named by the service: the customer's name
    named = opportunity_make(acme, name="Umbrella — renewal")
    assert default.name == "Umbrella Corp" and default.account_id == named.account_id
    with schema_context(acme.company.schema_name):
        account = Account.objects.get(pk=default.account_id)
        account_update(
            actor=acme.owner,
            company=acme.company,
            account=account,
            data={"name": "Umbrella Group"},
            expected_version=account.version,
        )
        default.refresh_from_db()
        named.refresh_from_db()
    assert (default.name, default.customer_name) == ("Umbrella Group", "Umbrella Group")
    assert (named.name, named.customer_name) == ("Umbrella — renewal", "Umbrella Group")


@pytest.mark.django_db
def test_the_migration_names_existing_deals_as_they_read_before(acme):
    migration = importlib.import_module("pipeline.migrations.0005_opportunity_name_external_id")
    deal = opportunity_make(acme, name="Kept")
    old = opportunity_make(acme, customer_name="Initech")
    with schema_context(acme.company.schema_name):
        Opportunity.objects.filter(pk=old.pk).update(name="")  # as the column arrived
        migration.names_from_customers(django_apps, None)
        assert Opportunity.objects.get(pk=old.pk).name == "Initech"
        assert Opportunity.objects.get(pk=deal.pk).name == "Kept"


@pytest.mark.django_db
def test_code_older_than_the_new_columns_still_writes_rows(acme):
    """Backward compatible: an INSERT that names none of the new columns (code deployed
    before them) works; the row reads with its customer's name and no external id."""
    with schema_context(acme.company.schema_name):
        account = Account.objects.create(name="Legacy", owner_id=acme.owner.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_account (id, name, domains, industry, region, market_unit,"
                " description, owner_id, custom, version, created_at, updated_at)"
                " VALUES (gen_random_uuid(), 'Old code', '{}', '', '', '', '', %s, '{}', 1,"
                " now(), now())",
                [acme.owner.pk],
            )
            cursor.execute(
                "INSERT INTO pipeline_opportunity (id, account_id, customer_name, customer_domain,"
                " amount, currency, close_date, stage, motion, next_step, owner_id,"
                " private_notes, custom, version, created_at, updated_at)"
                " VALUES (gen_random_uuid(), %s, 'Legacy', '', 10, 'USD', '2027-01-01',"
                " 'prospect', 'sell_with', '', %s, '', '{}', 1, now(), now())",
                [account.pk, acme.owner.pk],
            )
        legacy = Opportunity.objects.get(customer_name="Legacy")
        assert (legacy.name, legacy.external_id, legacy.title) == ("", "", "Legacy")
        assert Account.objects.get(name="Old code").external_id == ""
    page = client_on(acme.host, acme.member).get(f"/pipeline/{legacy.pk}/").content.decode()
    assert "<h1>Legacy" in page
    assert SharedRecord.objects.count() == 0

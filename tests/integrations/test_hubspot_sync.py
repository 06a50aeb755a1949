"""The HubSpot connector against the local stand-in (tests/crm/hubspot.py: HubSpot's documented
CRM v3 search, objects, properties, pipelines, v4 associations and OAuth over HTTPS on
127.0.0.1), at the HTTP boundary: a private app token through the connect page, the OAuth
sign-in, the import with search paging and its 10,000-result cap, the secondly rate limit,
an expired token refreshed, a malformed record to the dead-letter list, and a change pushed."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlparse

import pytest
import requests
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.models import Account
from integrations.models import Connection, DeadLetter, FieldMapping
from integrations.services import connection_create
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from tenants.models import Membership
from tests.builders import client_on
from tests.crm.hubspot import HubSpotStandIn
from tests.integrations.helpers import run_now


@pytest.fixture
def portal(settings):  # type: ignore[no-untyped-def]
    with HubSpotStandIn() as standin:
        settings.INTEGRATIONS_CA_BUNDLE = standin.ca_path
        settings.INTEGRATIONS_HUBSPOT_API = standin.base_url
        settings.INTEGRATIONS_OAUTH = {
            **settings.INTEGRATIONS_OAUTH,
            "hubspot": {
                **settings.INTEGRATIONS_OAUTH["hubspot"],
                "client_id": standin.client_id,
                "client_secret": standin.client_secret,
                "authorize_url": standin.base_url + "/oauth/authorize",
            },
        }
        yield standin


def _connect(world, portal, *, oauth: bool = False) -> Connection:  # type: ignore[no-untyped-def]
    if oauth:
        access, refresh = portal.issue_tokens()
        secret, auth = {"access_token": access, "refresh_token": refresh}, "oauth"
    else:
        secret, auth = {"access_token": portal.private_app_token()}, "private_app"
    membership = Membership.objects.get(company=world.company, user=world.owner)
    with schema_context(world.company.schema_name):
        connection = connection_create(
            actor=world.owner, actor_membership=membership, company=world.company,
            connector="hubspot", name="Northwind HubSpot", settings={"auth": auth}, secret=secret,
        )  # fmt: skip
        # HubSpot's industries aren't this company's: the admin leaves industry unmapped
        FieldMapping.objects.filter(
            object_mapping__connection=connection, local_field="industry"
        ).delete()
    return connection


def _seed(portal, n: int = 3) -> list[str]:  # type: ignore[no-untyped-def]
    deals = []
    for i in range(n):
        company = portal.create(
            "companies", {"name": f"Customer {i}", "domain": f"customer{i}.example"}
        )
        deals.append(
            portal.create(
                "deals",
                {
                    "dealname": f"Deal {i}",
                    "amount": str(1000 + i),
                    "closedate": "2027-06-30T00:00:00Z",
                    "dealstage": "qualifiedtobuy",
                    "pipeline": "default",
                },
                company_id=company,
            )  # fmt: skip
        )
    return deals


def test_a_private_app_token_connects_through_the_page_and_a_bad_one_is_refused(acme, portal):
    admin = client_on(acme.host, acme.admin)
    bad = admin.post(
        "/settings/integrations/new/hubspot/", {"name": "HubSpot", "token": "pat-na1-" + "0" * 36}
    )
    assert bad.status_code == 200 and "HubSpot refused the token" in bad.content.decode()
    good = admin.post(
        "/settings/integrations/new/hubspot/",
        {"name": "HubSpot", "token": portal.private_app_token()},
    )
    assert good.status_code == 302
    with schema_context(acme.company.schema_name):
        connection = Connection.objects.get()
        assert connection.settings["hub_id"] == str(portal.portal_id)
        fields = {f["name"] for f in connection.catalog["fields"]["deals"]}
        assert {"dealname", "amount", "dealstage", "associatedcompany", "partner_notes"} <= fields
        stage = next(f for f in connection.catalog["fields"]["deals"] if f["name"] == "dealstage")
        assert ["closedwon", "Closed Won"] in stage["choices"]


def test_an_admin_connects_hubspot_through_its_sign_in(acme, portal):
    admin = client_on(acme.host, acme.admin)
    start = admin.post("/settings/integrations/new/hubspot/", {"name": "HubSpot", "token": ""})
    assert start.status_code == 302 and start["Location"].startswith(
        portal.base_url + "/oauth/authorize"
    )
    answer = requests.get(
        start["Location"], verify=portal.ca_path, allow_redirects=False, timeout=10
    )
    callback = urlparse(answer.headers["Location"])
    back = urlparse(
        client_on(settings.BASE_DOMAIN).get(callback.path + "?" + callback.query)["Location"]
    )
    done = admin.get(back.path + "?" + back.query)
    assert done.status_code == 302, done.content.decode()[:400]
    with schema_context(acme.company.schema_name):
        connection = Connection.objects.get()
        assert connection.settings["auth"] == "oauth"
        assert json.loads(connection.secret)["refresh_token"]


def test_the_import_brings_companies_and_deals_with_their_association(acme, portal, settings):
    settings.INTEGRATIONS_PAGE_SIZE = 2
    _seed(portal, 3)
    connection = _connect(acme, portal)
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    assert run.created == 6
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.select_related("account").get(amount=Decimal("1002"))
        assert deal.account.name == "Customer 2" and deal.close_date.isoformat() == "2027-06-30"
        assert deal.stage == "qualify"
    again = run_now(acme, connection)
    assert (again.created, again.updated) == (0, 0), again.error


def test_the_search_cap_is_passed_by_re_anchoring_the_cursor(acme, settings):
    """HubSpot answers at most 10,000 results per search (here 6, a stand-in set to it)."""
    settings.INTEGRATIONS_PAGE_SIZE = 2
    with HubSpotStandIn(search_result_cap=6, search_rate_limit=None) as portal:
        settings.INTEGRATIONS_CA_BUNDLE = portal.ca_path
        settings.INTEGRATIONS_HUBSPOT_API = portal.base_url
        settings.INTEGRATIONS_HUBSPOT_SEARCH_CAP = 6
        for i in range(11):
            portal.create("companies", {"name": f"Company {i}", "domain": f"company{i}.example"})
        connection = _connect(acme, portal)
        with schema_context(acme.company.schema_name):
            connection.object_mappings.filter(kind="opportunity").delete()
        run = run_now(acme, connection, first=True)
        assert run.state == "succeeded", run.error
        with schema_context(acme.company.schema_name):
            assert Account.objects.count() == 11


def test_the_secondly_rate_limit_is_waited_out(acme, portal):
    _seed(portal, 2)
    connection = _connect(acme, portal)
    portal.fail_next(429, headers={}, times=2, path_contains="/search")
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    assert run.created == 4


def test_an_expired_oauth_token_is_refreshed_and_a_revoked_one_refused(acme, portal):
    _seed(portal, 1)
    connection = _connect(acme, portal, oauth=True)
    before = json.loads(connection.secret)["access_token"]
    portal.expire_access_tokens()
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    with schema_context(acme.company.schema_name):
        connection.refresh_from_db()
        assert json.loads(connection.secret)["access_token"] != before
    portal.expire_access_tokens()
    portal.revoke_refresh_tokens()
    refused = run_now(acme, connection)
    assert refused.state == "failed" and "connect again" in refused.error


def test_a_malformed_deal_goes_to_the_dead_letter_list(acme, portal):
    company = portal.create("companies", {"name": "Contoso", "domain": "contoso.example"})
    portal.create("deals", {"dealname": "Good", "amount": "5", "closedate": "2027-01-31T00:00:00Z",
                            "dealstage": "appointmentscheduled", "pipeline": "default"}, company_id=company)  # fmt: skip
    bad = portal.put_raw("deals", {"dealname": "Bad", "amount": "lots", "closedate": "2027-01-31T00:00:00Z",
                                   "dealstage": "appointmentscheduled", "pipeline": "default"})  # fmt: skip
    portal.associate(bad, company)
    connection = _connect(acme, portal)
    run = run_now(acme, connection, first=True)
    assert run.state == "partial" and run.failed == 1
    with schema_context(acme.company.schema_name):
        assert "lots" in DeadLetter.objects.get().error
        assert Opportunity.objects.get().amount == Decimal("5")


def test_a_change_here_is_written_to_hubspot(acme, portal):
    (deal_id,) = _seed(portal, 1)
    connection = _connect(acme, portal)
    run_now(acme, connection, first=True)
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.get()
        opportunity_update(
            actor=acme.owner, company=acme.company, opportunity=deal,
            data={"amount": Decimal("2500")}, expected_version=deal.version,
        )  # fmt: skip
    run = run_now(acme, connection)
    assert run.pushed == 1, run.error
    assert Decimal(portal.get("deals", deal_id)["properties"]["amount"]) == Decimal("2500")
    echo = run_now(acme, connection)
    assert (echo.updated, echo.conflicts, echo.pushed) == (0, 0, 0)

"""The Salesforce connector against the local stand-in (tests/crm/salesforce.py: Salesforce's
documented REST, Bulk API 2.0 and OAuth shapes over HTTPS on 127.0.0.1), at the HTTP
boundary: the OAuth sign-in with PKCE through our pages, the initial import (REST pages and
the Bulk API job), an expired session refreshed, a revoked one refused, 429 and 503 waited
out, a malformed record to the dead-letter list, the daily API limit, and a change pushed back."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.models import Account
from integrations.models import Connection, DeadLetter, ExternalLink, FieldMapping, SyncCursor
from integrations.services import connection_create
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from tenants.models import Membership
from tests.builders import client_on
from tests.crm.salesforce import SalesforceStandIn
from tests.integrations.helpers import run_now


@pytest.fixture
def org(settings):  # type: ignore[no-untyped-def]
    with SalesforceStandIn() as standin:
        settings.INTEGRATIONS_CA_BUNDLE = standin.ca_path
        settings.INTEGRATIONS_OAUTH = {
            **settings.INTEGRATIONS_OAUTH,
            "salesforce": {
                **settings.INTEGRATIONS_OAUTH["salesforce"],
                "client_id": standin.client_id,
                "client_secret": standin.client_secret,
                "logins": {"production": standin.base_url, "sandbox": standin.base_url},
            },
        }
        yield standin


def _connect(world, org) -> Connection:  # type: ignore[no-untyped-def]
    access, refresh = org.issue_tokens()
    membership = Membership.objects.get(company=world.company, user=world.owner)
    with schema_context(world.company.schema_name):
        return connection_create(
            actor=world.owner,
            actor_membership=membership,
            company=world.company,
            connector="salesforce",
            name="Northwind Salesforce",
            settings={
                "environment": "production",
                "instance_url": org.base_url,
                "org_id": org.org_id,
                "user_id": org.api_user_id,
                "username": "integration@northwind.example",
            },
            secret={"access_token": access, "refresh_token": refresh},
        )


def _seed(org, n: int = 3) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(n):
        account = org.create(
            "Account", {"Name": f"Customer {i}", "Website": f"https://www.customer{i}.example"}
        )
        ids.append(
            org.create(
                "Opportunity",
                {
                    "Name": f"Deal {i}",
                    "AccountId": account,
                    "Amount": 1000 + i,
                    "CloseDate": "2027-06-30",
                    "StageName": "Qualification",
                },
            )
        )
    return ids


def test_an_admin_connects_salesforce_through_its_sign_in_with_pkce(acme, org):
    admin = client_on(acme.host, acme.admin)
    response = admin.post(
        "/settings/integrations/new/salesforce/",
        {"name": "Our Salesforce", "environment": "production"},
    )
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/services/oauth2/authorize"
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    # Salesforce asks the user, then sends the browser to our one callback address
    answer = requests.get(
        response["Location"], verify=org.ca_path, allow_redirects=False, timeout=10
    )
    callback = urlparse(answer.headers["Location"])
    assert callback.path == "/integrations/oauth/callback/"
    network = client_on(settings.BASE_DOMAIN)
    bounced = network.get(callback.path + "?" + callback.query)
    assert bounced.status_code == 302
    back = urlparse(bounced["Location"])
    assert back.hostname == acme.host and back.path == "/settings/integrations/oauth/return/"
    done = admin.get(back.path + "?" + back.query)
    assert done.status_code == 302, done.content.decode()[:500]
    with schema_context(acme.company.schema_name):
        connection = Connection.objects.get()
        assert connection.connector == "salesforce"
        assert connection.settings["org_id"] == org.org_id
        assert connection.settings["username"] == "integration@northwind.example"
        secret = json.loads(connection.secret)
        assert secret["refresh_token"] and secret["access_token"]
        assert {o["name"] for o in connection.catalog["objects"]} == {"Account", "Opportunity"}
        assert connection.object_mappings.count() == 2
    # the same answer once more is refused (the nonce was used)
    again = admin.get(back.path + "?" + back.query)
    assert again.status_code == 400 and b"connect again" in again.content
    # connecting the same org twice is refused
    second = admin.post(
        "/settings/integrations/new/salesforce/", {"name": "Twice", "environment": "production"}
    )
    answer = requests.get(second["Location"], verify=org.ca_path, allow_redirects=False, timeout=10)
    callback = urlparse(answer.headers["Location"])
    back = urlparse(network.get(callback.path + "?" + callback.query)["Location"])
    refused = admin.get(back.path + "?" + back.query)
    assert refused.status_code == 400 and "connected already" in refused.content.decode()


def test_a_forged_or_foreign_state_is_refused(acme, globex, org):
    network = client_on(settings.BASE_DOMAIN)
    assert network.get("/integrations/oauth/callback/?code=x&state=forged").status_code == 400
    # an answer started by Acme's admin does not connect anything at Globex
    start = client_on(acme.host, acme.admin).post(
        "/settings/integrations/new/salesforce/", {"name": "S", "environment": "production"}
    )
    answer = requests.get(start["Location"], verify=org.ca_path, allow_redirects=False, timeout=10)
    query = urlparse(answer.headers["Location"]).query
    response = client_on(globex.host, globex.admin).get(
        "/settings/integrations/oauth/return/?" + query
    )
    assert response.status_code == 400
    with schema_context(globex.company.schema_name):
        assert not Connection.objects.exists()


def test_the_initial_import_reads_accounts_and_opportunities_page_by_page(acme, org, settings):
    settings.INTEGRATIONS_PAGE_SIZE = 2
    _seed(org, 3)
    connection = _connect(acme, org)
    org.clear_requests()
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    assert (run.created, run.failed) == (6, 0)
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.select_related("account").get(amount=Decimal("1001"))
        assert deal.account.name == "Customer 1" and deal.account.domains == ["customer1.example"]
        assert deal.stage == "qualify"
        assert ExternalLink.objects.filter(connection=connection).count() == 6
    queries = [p for m, p in org.requests_seen if "/query" in p]
    assert len(queries) >= 4  # two pages of two, then the rest, per object
    # nothing changed: a second run changes nothing
    again = run_now(acme, connection)
    assert (again.created, again.updated) == (0, 0)


def test_a_large_initial_import_reads_through_one_bulk_api_job(acme, org, settings):
    settings.INTEGRATIONS_BULK_THRESHOLD = 10
    settings.INTEGRATIONS_PAGE_SIZE = 7
    settings.INTEGRATIONS_BULK_PAGE_SIZE = 7  # several pages of the job's results
    org.seed(accounts=12, opportunities=30)
    connection = _connect(acme, org)
    with schema_context(acme.company.schema_name):
        # Salesforce's 32 industries aren't this company's: the admin leaves industry unmapped
        FieldMapping.objects.filter(
            object_mapping__connection=connection, local_field="industry"
        ).delete()
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    assert run.created == 42 and run.expected == 42
    assert any("/jobs/query" in p for _, p in org.requests_seen)
    with schema_context(acme.company.schema_name):
        assert Opportunity.objects.count() == 30 and Account.objects.count() == 12
        cursor = SyncCursor.objects.get(connection=connection, remote_object="Opportunity")
        assert cursor.position.get("since") and not cursor.position.get("bulk_job")
        some = Opportunity.objects.order_by("amount").first()
        external = ExternalLink.objects.get(connection=connection, local_id=some.pk).external_id
    # afterwards, a change in Salesforce comes through the incremental query
    org.advance_clock(5)
    org.update("Opportunity", external, {"Amount": 777777})
    later = run_now(acme, connection)
    assert later.updated == 1, later.error
    with schema_context(acme.company.schema_name):
        assert Opportunity.objects.get(pk=some.pk).amount == Decimal("777777")


def test_an_expired_session_is_refreshed_and_the_new_token_kept(acme, org):
    _seed(org, 1)
    connection = _connect(acme, org)
    before = json.loads(connection.secret)["access_token"]
    org.expire_access_tokens()
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    with schema_context(acme.company.schema_name):
        connection.refresh_from_db()
        secret = json.loads(connection.secret)
    assert secret["access_token"] != before and secret["refresh_token"]


def test_a_revoked_connection_fails_in_a_sentence_and_writes_nothing(acme, org):
    _seed(org, 2)
    connection = _connect(acme, org)
    org.expire_access_tokens()
    org.revoke_refresh_tokens()
    run = run_now(acme, connection, first=True)
    assert run.state == "failed"
    assert "Salesforce refused the sign-in" in run.error and "connect again" in run.error
    with schema_context(acme.company.schema_name):
        assert not Opportunity.objects.exists() and not Account.objects.exists()


def test_429_and_503_are_waited_out(acme, org):
    _seed(org, 1)
    connection = _connect(acme, org)
    org.fail_next(429, times=1, path_contains="/query")
    org.fail_next(503, times=1, path_contains="/query")
    run = run_now(acme, connection, first=True)
    assert run.state == "succeeded", run.error
    assert run.created == 2


def test_a_malformed_record_goes_to_the_dead_letter_list(acme, org):
    account = org.create("Account", {"Name": "Contoso", "Website": "contoso.example"})
    org.create(
        "Opportunity",
        {
            "Name": "Good",
            "AccountId": account,
            "Amount": 5,
            "CloseDate": "2027-01-31",
            "StageName": "Prospecting",
        },
    )
    org.put_raw(
        "Opportunity",
        {
            "Name": "Bad",
            "AccountId": account,
            "Amount": "abc",
            "CloseDate": "31/12/2026",
            "StageName": "Prospecting",
        },
    )
    connection = _connect(acme, org)
    run = run_now(acme, connection, first=True)
    assert run.state == "partial" and run.failed == 1
    with schema_context(acme.company.schema_name):
        letter = DeadLetter.objects.get(connection=connection)
        assert "abc" in letter.error and "is not a number" in letter.error
        assert Opportunity.objects.get().amount == Decimal("5")


def test_the_daily_api_limit_fails_the_run_in_a_sentence(acme, org):
    _seed(org, 1)
    connection = _connect(acme, org)
    org.set_api_usage(15_000)
    run = run_now(acme, connection, first=True)
    assert run.state == "failed"
    assert "used up its API requests for today" in run.error


def test_a_change_here_is_written_to_salesforce(acme, org):
    (opportunity_id,) = _seed(org, 1)
    connection = _connect(acme, org)
    run_now(acme, connection, first=True)
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.get()
        opportunity_update(
            actor=acme.owner, company=acme.company, opportunity=deal,
            data={"next_step": "Send the proposal"}, expected_version=deal.version,
        )  # fmt: skip
    run = run_now(acme, connection)
    assert run.pushed == 1, run.error
    assert org.get("Opportunity", opportunity_id)["NextStep"] == "Send the proposal"
    # its echo changes nothing here
    echo = run_now(acme, connection)
    assert (echo.updated, echo.conflicts, echo.pushed) == (0, 0, 0)

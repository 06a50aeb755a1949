"""External ids and the bulk upsert (POST /api/v1/accounts/bulk/, /api/v1/opportunities/bulk/):
an integration sends up to 1,000 records by its own ids; each goes through the kind's services
in a savepoint of its own, and one company's ids never reach another's records."""

from __future__ import annotations

import json

import pytest
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import Account
from audit.company.models import AuditEntry
from business.models import FieldDefinition
from business.rules import rule_create
from identity.service_accounts import service_account_create
from identity.tokens import token_create
from pipeline.models import Opportunity
from recordkit.external_ids import external_id_race_refused
from sharing.models import SharedRecord
from tests.builders import client_on, company_make
from tests.security.hostile import NUL, deep_json
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make

ACCOUNTS = "/api/v1/accounts/bulk/"
OPPORTUNITIES = "/api/v1/opportunities/bulk/"


def api(world, *, scopes=None, user=None) -> Client:  # type: ignore[no-untyped-def]
    _, plain = token_create(
        actor=user or world.member, company=world.company, name="bulk sync", scopes=scopes
    )
    return Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {plain}")


def post(client: Client, path: str, body: object):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json")


def account(n: int, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"external_id": f"CRM-A{n:04d}", "name": f"Customer {n}", **extra}


def deal(n: int, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {
        "external_id": f"CRM-O{n:04d}",
        "name": f"Customer {n} — renewal",
        "account_external_id": f"CRM-A{n:04d}",
        "amount": "1000.00",
        "currency": "USD",
        "close_date": "2027-06-30",
        "stage": "qualify",
        **extra,
    }


def in_schema(world, fn):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return fn()


# external ids on single records


@pytest.mark.django_db
def test_external_ids_are_set_through_the_api_and_unique_per_company(acme, globex):
    client = api(acme)
    created = post(client, "/api/v1/accounts/", {"name": "Contoso", "external_id": " CRM-1 "})
    assert created.status_code == 201, created.content
    assert created.json()["external_id"] == "CRM-1"  # spaces around are not part of it
    again = post(client, "/api/v1/accounts/", {"name": "Contoso 2", "external_id": "CRM-1"})
    assert again.status_code == 400
    assert "Another account already has the external id “CRM-1”" in again.json()["external_id"][0]
    # another company's ids are its own
    assert (
        post(api(globex), "/api/v1/accounts/", {"name": "G", "external_id": "CRM-1"}).status_code
        == 201
    )
    # blank ids don't clash
    for name in ("A", "B"):
        assert (
            post(client, "/api/v1/accounts/", {"name": name, "external_id": ""}).status_code == 201
        )
    pk = created.json()["id"]
    moved = client.patch(
        f"/api/v1/accounts/{pk}/",
        {"external_id": "CRM-2", "version": 1},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["external_id"] == "CRM-2"
    page = client_on(acme.host, acme.member).get(f"/customers/{pk}/").content.decode()
    assert 'data-testid="external-id">CRM-2<' in page


@pytest.mark.django_db
def test_a_new_external_id_that_loses_a_race_is_a_sentence_not_a_server_error(acme):
    with schema_context(acme.company.schema_name):
        Account.objects.create(name="First", owner_id=acme.owner.pk, external_id="RACE")
        from django.core.exceptions import ValidationError

        with (
            pytest.raises(ValidationError) as refused,
            external_id_race_refused(label="account", external_id="RACE"),
            transaction.atomic(),
        ):
            # what a save that passed the check a moment before the other one committed does
            Account.objects.create(name="Second", owner_id=acme.owner.pk, external_id="RACE")
        assert "already has the external id “RACE”" in str(refused.value)
        assert Account.objects.filter(external_id="RACE").count() == 1


# the bulk upsert


@pytest.mark.django_db
def test_bulk_creates_updates_and_leaves_unchanged_records_with_a_result_per_record(acme):
    client = api(acme)
    first = post(client, ACCOUNTS, {"records": [account(1), account(2, domains=["two.example"])]})
    assert first.status_code == 200, first.content
    body = first.json()
    assert [r["status"] for r in body["results"]] == ["created", "created"]
    assert body["counts"] == {"created": 2, "updated": 0, "unchanged": 0, "error": 0}
    assert body["results"][0] == {
        "index": 0,
        "external_id": "CRM-A0001",
        "status": "created",
        "id": body["results"][0]["id"],
        "errors": {},
    }
    second = post(
        client,
        ACCOUNTS,
        {
            "records": [
                {"external_id": "CRM-A0001", "description": "Key account"},  # partial update
                account(2, domains=["TWO.example"]),  # the same, spelled otherwise
                account(3),
            ]
        },
    ).json()
    assert [r["status"] for r in second["results"]] == ["updated", "unchanged", "created"]
    with schema_context(acme.company.schema_name):
        one = Account.objects.get(external_id="CRM-A0001")
        assert (one.name, one.description, one.version) == ("Customer 1", "Key account", 2)
        two = Account.objects.get(external_id="CRM-A0002")
        assert two.version == 1 and two.domains == ["two.example"]
        assert str(one.pk) == second["results"][0]["id"]
        # audited like single writes: three creations, one update, nothing for "unchanged"
        assert AuditEntry.objects.filter(action="account.created").count() == 3
        assert AuditEntry.objects.filter(action="account.updated").count() == 1


@pytest.mark.django_db
def test_one_bad_record_does_not_stop_the_others(acme):
    client = api(acme)
    response = post(
        client,
        ACCOUNTS,
        {
            "records": [
                account(1),
                {"name": "No id"},
                account(2, industry="mining"),  # not one of the company's industries
                account(1, name="Twice"),  # the same external id again
                "not an object",
                account(3, domains=["not a domain"]),
                account(4, external_id="x" * 256),
                account(5, name="x" * 201),
                account(6),
            ]
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "created",
    ]
    assert [r["index"] for r in results] == list(range(9))
    assert "external_id" in results[1]["errors"] and results[1]["id"] is None
    assert results[2]["errors"]["industry"] == [
        "Choose one of your industries (Settings → Vocabularies)."
    ]
    assert results[3]["errors"]["external_id"] == [
        "Record 0 of this request has the same external id: send each record once."
    ]
    assert "non_field_errors" in results[4]["errors"]
    assert "is not a web domain" in results[5]["errors"]["domains"][0]
    assert "external_id" in results[6]["errors"]
    assert "name" in results[7]["errors"]
    with schema_context(acme.company.schema_name):
        assert sorted(Account.objects.values_list("external_id", flat=True)) == [
            "CRM-A0001",
            "CRM-A0006",
        ]
        assert Account.objects.get(external_id="CRM-A0001").name == "Customer 1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"records": [account(i) for i in range(1_001)]}, "At most 1,000 records"),
        ({"records": {"external_id": "CRM-1"}}, "must be a list"),
        ({"records": "CRM-1"}, "must be a list"),
        ({"records": []}, "is empty"),
        ({"rows": []}, 'Send {"records": [...]}'),
        ([account(1)], 'Send {"records": [...]}'),
    ],
)
def test_a_bad_envelope_is_a_400_that_says_so_and_saves_nothing(acme, body, words):
    response = post(api(acme), ACCOUNTS, body)
    assert response.status_code == 400
    assert words in response.json()["records"][0]
    assert not in_schema(acme, lambda: Account.objects.exists())


@pytest.mark.django_db
def test_hostile_bulk_bodies_are_400_never_500(acme):
    client = Client(
        HTTP_HOST=acme.host,
        HTTP_AUTHORIZATION=f"Bearer {token_create(actor=acme.member, company=acme.company, name='t')[1]}",
        raise_request_exception=False,
    )
    for path in (ACCOUNTS, OPPORTUNITIES):
        for body in (
            json.dumps({"records": [account(1, name="a" + NUL + "b")]}),
            json.dumps({"records": [{"external_id": "x" + NUL}]}),
            json.dumps({"records": [{"external_id": "CRM-1", NUL: "key"}]}),
            json.dumps({"records": [account(1, description="x" * 100_001)]}),
            deep_json(1_000),
            json.dumps(
                {"records": [{"external_id": "CRM-1", "custom_fields": json.loads(deep_json(40))}]}
            ),
            "{not json",
        ):
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 400, (path, body[:40], response.status_code)
        # odd but well-formed values are each record's own error
        odd = client.post(
            path,
            json.dumps(
                {
                    "records": [
                        {"external_id": None},
                        {"external_id": True},
                        {"external_id": ["a"]},
                        {"external_id": "CRM-9", "amount": 10**30, "close_date": "0000-00-00"},
                        {"external_id": "CRM-10", "custom_fields": [], "domains": "x"},
                        {"external_id": "CRM-11", "account_external_id": {"a": 1}},
                    ]
                }
            ),
            content_type="application/json",
        )
        assert odd.status_code == 200, odd.content
        assert {r["status"] for r in odd.json()["results"]} == {"error"}
    assert not in_schema(acme, lambda: Account.objects.exists())


@pytest.mark.django_db
def test_opportunities_reference_their_account_by_id_or_external_id(acme):
    client = api(acme)
    post(client, ACCOUNTS, {"records": [account(1, domains=["one.example"]), account(2)]})
    account_2 = in_schema(acme, lambda: Account.objects.get(external_id="CRM-A0002"))
    response = post(
        client,
        OPPORTUNITIES,
        {
            "records": [
                deal(1),
                {**deal(2, account=str(account_2.pk)), "account_external_id": ""},
                deal(3),  # CRM-A0003 was never sent
                {**deal(4), "account": str(account_2.pk), "account_external_id": "CRM-A0001"},
                {**deal(5), "account_external_id": "", "customer_name": "Initech"},
                {**deal(6), "account_external_id": "", "name": ""},  # no customer at all
            ]
        },
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "created",
        "created",
        "error",
        "error",
        "created",
        "error",
    ]
    assert (
        "No account has the external id “CRM-A0003”"
        in results[2]["errors"]["account_external_id"][0]
    )
    assert results[3]["errors"]["account_external_id"] == [
        "Send account or account_external_id, not both."
    ]
    assert results[5]["errors"]["customer_name"] == ["Name the customer."]
    with schema_context(acme.company.schema_name):
        one = Opportunity.objects.get(external_id="CRM-O0001")
        assert one.account.external_id == "CRM-A0001" and one.customer_name == "Customer 1"
        assert one.name == "Customer 1 — renewal" and one.customer_domain == "one.example"
        assert Opportunity.objects.get(external_id="CRM-O0002").account_id == account_2.pk
        initech = Opportunity.objects.get(external_id="CRM-O0005")
        assert initech.customer_name == "Initech" and initech.account.external_id == ""
    again = post(client, OPPORTUNITIES, {"records": [deal(1), deal(2, stage="propose")]}).json()
    assert [r["status"] for r in again["results"]] == ["unchanged", "updated"]


@pytest.mark.django_db
def test_bulk_records_meet_the_companys_custom_fields_rules_and_versions(acme):
    from business.services import field_create

    with schema_context(acme.company.schema_name):
        field_create(
            actor=acme.admin,
            company=acme.company,
            data={
                "object_type": "opportunity",
                "key": "seats",
                "label": "Seats",
                "field_type": "number",
            },
        )
        rule_create(
            actor=acme.admin,
            data={
                "object_type": "opportunity",
                "name": "Seats",
                "condition": "seats > 500",
                "message": "Over 500 seats needs a deal desk review",
            },
        )
        assert FieldDefinition.objects.count() == 1
    client = api(acme)
    post(client, ACCOUNTS, {"records": [account(1), account(2)]})
    results = post(
        client,
        OPPORTUNITIES,
        {
            "records": [
                deal(1, custom_fields={"seats": 40}),
                deal(2, custom_fields={"seats": 900}),
                deal(3, custom_fields={"nope": 1}, account_external_id="CRM-A0001"),
            ]
        },
    ).json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error"]
    assert results[1]["errors"] == {"non_field_errors": ["Over 500 seats needs a deal desk review"]}
    assert "custom_fields.nope" in results[2]["errors"]
    # a version sent is checked; one left out is the version this request read
    stale = post(client, OPPORTUNITIES, {"records": [deal(1, stage="won", version=7)]}).json()[
        "results"
    ][0]
    assert (
        stale["status"] == "error" and "The current version is 1." in stale["errors"]["version"][0]
    )
    ok = post(
        client,
        OPPORTUNITIES,
        {"records": [{"external_id": "CRM-O0001", "custom_fields": {"seats": 41}}]},
    ).json()["results"][0]
    assert ok["status"] == "updated"
    with schema_context(acme.company.schema_name):
        saved = Opportunity.objects.get(external_id="CRM-O0001")
        assert saved.custom == {"seats": 41} and saved.version == 2 and saved.stage == "qualify"


@pytest.mark.django_db
def test_a_bulk_update_of_a_shared_deal_reaches_partners_through_the_publish_step(acme, globex):
    partners_make(acme, globex)
    opportunity, record = shared_opportunity_make(acme, name="Umbrella — 500 seats")
    with schema_context(acme.company.schema_name):
        Opportunity.objects.filter(pk=opportunity.pk).update(external_id="CRM-SHARED")
    response = post(
        api(acme),
        OPPORTUNITIES,
        {"records": [{"external_id": "CRM-SHARED", "name": "Umbrella — 800 seats"}]},
    )
    assert response.json()["results"][0]["status"] == "updated"
    record.refresh_from_db()
    assert record.title == "Umbrella — 800 seats" and record.version == 2
    assert "private_notes" not in record.payload


# who may call it


@pytest.mark.django_db
def test_only_write_tokens_and_members_of_the_company_may_upsert(acme, globex):
    records = {"records": [account(1)]}
    read_only = post(api(acme, scopes=["records:read"]), ACCOUNTS, records)
    assert read_only.status_code == 403
    other_token = token_create(actor=globex.member, company=globex.company, name="g")[1]
    wrong_host = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {other_token}")
    assert post(wrong_host, ACCOUNTS, records).status_code == 401
    other_user = client_on(acme.host, globex.owner)
    for path in (ACCOUNTS, OPPORTUNITIES):
        assert post(other_user, path, records).status_code == 404
    outsider = company_make("bulk-outsider")
    assert post(client_on(acme.host, outsider.owner), ACCOUNTS, records).status_code == 404
    assert post(Client(HTTP_HOST=acme.host), ACCOUNTS, records).status_code in (401, 403)
    assert not in_schema(acme, lambda: Account.objects.exists())
    # an integration's service account with the write scope may
    _, plain = service_account_create(
        actor=acme.owner,
        actor_membership=membership(acme),
        company=acme.company,
        name="CRM bridge",
        scopes=["records:write"],
    )
    bridge = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert post(bridge, ACCOUNTS, records).json()["results"][0]["status"] == "created"
    # a member's browser session too (same rights as the single-record writes)
    browser = client_on(acme.host, acme.member)
    assert post(browser, ACCOUNTS, {"records": [account(2)]}).json()["counts"]["created"] == 1


@pytest.mark.django_db
def test_the_same_external_id_in_two_companies_names_two_records(acme, globex):
    post(api(globex), ACCOUNTS, {"records": [account(1, name="Globex's customer")]})
    post(api(globex), OPPORTUNITIES, {"records": [deal(1, name="Globex's deal")]})
    theirs = in_schema(globex, lambda: Account.objects.get(external_id="CRM-A0001"))
    their_deal = in_schema(globex, lambda: Opportunity.objects.get(external_id="CRM-O0001"))
    acme_client = api(acme)
    first = post(acme_client, ACCOUNTS, {"records": [account(1, name="Acme's customer")]}).json()
    assert first["results"][0]["status"] == "created"  # not found: globex's isn't here
    assert first["results"][0]["id"] != str(theirs.pk)
    # globex's ids as references are unknown here too
    refs = post(
        acme_client,
        OPPORTUNITIES,
        {
            "records": [
                deal(1, name="Acme's deal"),
                deal(2, account_external_id="", account=str(theirs.pk)),
            ]
        },
    ).json()["results"]
    assert refs[0]["status"] == "created" and refs[0]["id"] != str(their_deal.pk)
    assert refs[1]["status"] == "error" and refs[1]["errors"]["account"] == ["No such account."]
    post(acme_client, ACCOUNTS, {"records": [account(1, name="Acme renamed")]})
    with schema_context(globex.company.schema_name):
        theirs.refresh_from_db()
        their_deal.refresh_from_db()
        assert (theirs.name, theirs.version) == ("Globex's customer", 1)
        assert (their_deal.name, their_deal.version) == ("Globex's deal", 1)
        assert Account.objects.count() == 1 and Opportunity.objects.count() == 1
    with schema_context(acme.company.schema_name):
        assert Account.objects.get(external_id="CRM-A0001").name == "Acme renamed"


# bounded queries


@pytest.mark.django_db
def test_bulk_queries_grow_only_by_what_each_records_services_need(acme):
    """Measured (200 records per call, the query log emptied before each: Django keeps only
    its last 9,000 queries, which would hide some): the request's fixed part (schema, token,
    membership, the one external-id look-up, the account references, the people map, the
    transaction) is 7-8 queries. Per record the bulk part adds one savepoint (2 statements)
    around the service; the rest is what the single-record services run: an account's creation
    12, its update 6, an opportunity's creation 13, its update 8 (the custom-field and rule
    look-ups, the account's existence, the update and its audit entry, two savepoints). A
    record already so costs nothing. (The CRM sync's initial import creates a page at a time
    instead: integrations.sync.pull, bench/crm_sync.py.)"""
    client = api(acme)

    def queries(call):  # type: ignore[no-untyped-def]
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        return response, len(captured.captured_queries)

    rows = [account(i, domains=[f"c{i}.example"]) for i in range(200)]
    created, n = queries(lambda: post(client, ACCOUNTS, {"records": rows}))
    assert created.json()["counts"]["created"] == 200
    assert n <= 15 + 200 * 14, n  # measured 2,811
    update = {"records": [{"external_id": r["external_id"], "description": "v2"} for r in rows]}
    updated, n = queries(lambda: post(client, ACCOUNTS, update))
    assert updated.json()["counts"]["updated"] == 200
    assert n <= 15 + 200 * 8, n  # measured 1,607
    same, n = queries(lambda: post(client, ACCOUNTS, update))
    assert same.json()["counts"]["unchanged"] == 200
    assert n <= 15, n
    rows = [deal(i, account_external_id=f"CRM-A{i:04d}") for i in range(200)]
    deals, n = queries(lambda: post(client, OPPORTUNITIES, {"records": rows}))
    assert deals.json()["counts"]["created"] == 200
    assert n <= 15 + 200 * 15, n  # measured 3,008
    again, n = queries(lambda: post(client, OPPORTUNITIES, {"records": rows}))
    assert again.json()["counts"]["unchanged"] == 200
    assert n <= 15, n
    moved = {"records": [{**r, "stage": "propose"} for r in rows]}
    moved_response, n = queries(lambda: post(client, OPPORTUNITIES, moved))
    assert moved_response.json()["counts"]["updated"] == 200
    assert n <= 15 + 200 * 10, n  # measured 2,008


# the API document


@pytest.mark.django_db
def test_the_api_document_describes_both_bulk_operations(acme):
    schema = (
        client_on(acme.host, acme.owner)
        .get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        .json()
    )
    for path, component in (
        ("/api/v1/accounts/bulk/", "Account"),
        ("/api/v1/opportunities/bulk/", "Opportunity"),
    ):
        operation = schema["paths"][path]["post"]
        request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert request.endswith(f"{component}BulkUpsertRequest")
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert response["$ref"].endswith("BulkUpsertResponse")
        body = schema["components"]["schemas"][f"{component}BulkUpsertRequest"]
        assert body["properties"]["records"]["maxItems"] == 1000
        row = schema["components"]["schemas"][f"{component}BulkRecord"]
        assert "external_id" in row["required"]
    opportunity_row = schema["components"]["schemas"]["OpportunityBulkRecord"]
    assert "account_external_id" in opportunity_row["properties"]
    result = schema["components"]["schemas"]["BulkRecordResult"]
    assert set(result["properties"]) == {"index", "external_id", "status", "id", "errors"}


@pytest.mark.django_db
def test_a_record_the_partner_shared_is_not_reachable_by_external_id(acme, globex):
    """A partner's shared deal lives in its owner's schema: an upsert here never finds it."""
    partners_make(acme, globex)
    opportunity, record = shared_opportunity_make(globex, name="Globex — shared")
    with schema_context(globex.company.schema_name):
        Opportunity.objects.filter(pk=opportunity.pk).update(external_id="CRM-O0001")
    post(api(acme), ACCOUNTS, {"records": [account(1)]})
    result = post(api(acme), OPPORTUNITIES, {"records": [deal(1)]}).json()["results"][0]
    assert result["status"] == "created"
    record.refresh_from_db()
    assert record.title == "Globex — shared" and record.version == 1
    assert SharedRecord.objects.count() == 1

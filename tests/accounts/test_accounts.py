"""Accounts: a company's customers, private to it; opportunities join them by web domain."""

import json

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from accounts.domains import web_domain_normalize
from accounts.models import Account
from accounts.services import account_create, account_update
from audit.company.models import AuditEntry
from identity.tokens import token_create
from pipeline.models import Opportunity
from sharing.models import SharedRecord
from tests.builders import client_on
from tests.sharing.helpers import opportunity_make, partners_make, shared_opportunity_make

GOOD = {
    "name": "Contoso",
    "domains": "https://www.Contoso.com/about, contoso.de",
    "industry": "retail",
    "region": "emea",
    "description": "Retail chain",
}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://www.Contoso.com/about", "contoso.com"),
        ("sales@contoso.com", "contoso.com"),
        ("CONTOSO.com.", "contoso.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("", ""),
    ],
)
def test_domains_are_kept_in_one_form(typed, kept):
    assert web_domain_normalize(typed) == kept


@pytest.mark.django_db
def test_create_list_edit_and_archive_an_account(acme, globex):
    client = client_on(acme.host, acme.member)
    assert client.post("/customers/new/", GOOD).status_code == 302
    with schema_context(acme.company.schema_name):
        account = Account.objects.get(name="Contoso")
        assert account.domains == ["contoso.com", "contoso.de"]
        assert AuditEntry.objects.filter(action="account.created").count() == 1
    with schema_context(globex.company.schema_name):
        assert not Account.objects.exists()
    page = client.get("/customers/?q=contoso").content.decode()
    assert "Contoso" in page and "Retail" in page
    assert "Contoso" not in client.get("/customers/?industry=healthcare").content.decode()
    detail = client.get(f"/customers/{account.pk}/").content.decode()
    assert "contoso.de" in detail and "Europe, Middle East" in detail
    saved = client.post(
        f"/customers/{account.pk}/edit/", {**GOOD, "name": "Contoso Group", "version": 1}
    )
    assert saved.status_code == 302
    stale = client.post(f"/customers/{account.pk}/edit/", {**GOOD, "name": "Late", "version": 1})
    assert stale.status_code == 200 and b'data-testid="edit-conflict"' in stale.content
    client.post(f"/customers/{account.pk}/archive/")
    assert ">Contoso Group</a>" not in client.get("/customers/").content.decode()
    assert client_on(globex.host, globex.member).get(f"/customers/{account.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"domains": "not a domain"}, "is not a web domain"),
        ({"industry": "mining"}, "Select a valid choice"),
        ({"description": "x" * 10_001}, "under 10,000 characters"),
    ],
)
def test_bad_account_input_is_refused_and_nothing_is_written(acme, change, message):
    response = client_on(acme.host, acme.member).post("/customers/new/", {**GOOD, **change})
    assert response.status_code == 200 and message in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert not Account.objects.exists()


@pytest.mark.django_db
def test_a_domain_belongs_to_one_open_account(acme):
    client = client_on(acme.host, acme.member)
    client.post("/customers/new/", GOOD)
    twice = client.post(
        "/customers/new/", {**GOOD, "name": "Contoso again", "domains": "contoso.de"}
    )
    assert "contoso.de is already the domain of the account “Contoso”" in twice.content.decode()
    with schema_context(acme.company.schema_name):
        assert Account.objects.count() == 1


@pytest.mark.django_db
def test_opportunities_join_their_account_by_domain_then_by_name(acme, globex):
    first = opportunity_make(acme, customer_name="Umbrella", customer_domain="www.umbrella.example")
    second = opportunity_make(
        acme, customer_name="Umbrella Corp.", customer_domain="umbrella.example"
    )
    by_name = opportunity_make(acme, customer_name="Initech", customer_domain="")
    again = opportunity_make(acme, customer_name="initech", customer_domain="")
    other = opportunity_make(globex, customer_name="Umbrella", customer_domain="umbrella.example")
    assert first.account_id == second.account_id and by_name.account_id == again.account_id
    assert second.customer_name == "Umbrella"  # the account's name
    with schema_context(acme.company.schema_name):
        assert Account.objects.count() == 2
    with schema_context(globex.company.schema_name):
        assert Account.objects.get().pk == other.account_id


@pytest.mark.django_db
def test_renaming_an_account_renames_the_customer_partners_see(acme, globex):
    partners_make(acme, globex)
    opportunity, record = shared_opportunity_make(acme)
    with schema_context(acme.company.schema_name):
        account = Account.objects.get(pk=opportunity.account_id)
        account_update(
            actor=acme.owner,
            company=acme.company,
            account=account,
            data={"name": "Umbrella Holdings"},
            expected_version=account.version,
        )
        opportunity.refresh_from_db()
    assert opportunity.customer_name == "Umbrella Holdings"
    record = SharedRecord.objects.get(pk=record.pk)
    assert record.payload["customer_name"] == "Umbrella Holdings"
    assert "description" not in record.payload and "domains" not in record.payload


@pytest.mark.django_db
def test_a_refused_opportunity_leaves_no_account_behind(acme):
    response = client_on(acme.host, acme.member).post(
        "/pipeline/new/",
        {
            "customer_name": "Hooli",
            "customer_domain": "hooli.example",
            "amount": "-5",
            "currency": "USD",
            "close_date": "2027-01-31",
            "stage": "prospect",
            "motion": "sell_with",
        },
    )
    assert response.status_code == 200
    with schema_context(acme.company.schema_name):
        assert not Account.objects.exists() and not Opportunity.objects.exists()


@pytest.mark.django_db
def test_account_api_create_read_patch_archive_and_other_companies_get_404(acme, globex):
    _, plain = token_create(
        actor=acme.member, company=acme.company, name="t", scopes=["records:write"]
    )
    api = client_on(acme.host)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    created = api.post(
        "/api/v1/accounts/",
        json.dumps({"name": "Wayne", "domains": ["wayne.example"], "industry": "technology"}),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = api.get("/api/v1/accounts/?search=wayne", **auth).json()
    assert [a["name"] for a in listed["results"]] == ["Wayne"]
    patched = api.patch(
        f"/api/v1/accounts/{pk}/",
        json.dumps({"industry": "mining", "version": 1}),
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 400 and "industry" in patched.json()
    opp = api.post(
        "/api/v1/opportunities/",
        json.dumps(
            {
                "account": pk,
                "customer_name": "ignored",
                "amount": "10.00",
                "close_date": "2027-02-01",
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert opp.status_code == 201 and opp.json()["customer_name"] == "Wayne"
    other = client_on(globex.host, globex.member)
    assert other.get(f"/api/v1/accounts/{pk}/").status_code == 404
    assert (
        other.patch(
            f"/api/v1/accounts/{pk}/",
            json.dumps({"name": "Taken", "version": 1}),
            content_type="application/json",
        ).status_code
        == 404
    )
    with schema_context(globex.company.schema_name):
        assert not Account.objects.exists()
    assert api.delete(f"/api/v1/accounts/{pk}/", **auth).status_code == 204
    with schema_context(acme.company.schema_name):
        assert Account.objects.get(pk=pk).archived_at is not None


@pytest.mark.django_db
def test_account_list_queries_are_bounded(acme, django_assert_max_num_queries):
    with schema_context(acme.company.schema_name):
        for i in range(30):
            account_create(
                actor=acme.owner,
                company=acme.company,
                data={"name": f"Customer {i}", "domains": [f"c{i}.example"], "region": "amer"},
            )
    client = client_on(acme.host, acme.member)
    client.get("/customers/")
    with django_assert_max_num_queries(14):
        assert client.get("/customers/").status_code == 200
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_an_edit_saves_domains_in_the_form_it_checked_them_in(acme):
    """(The versioned update writes what the service changes, so the service normalises the
    domains itself; they were kept as typed before.)"""
    with schema_context(acme.company.schema_name):
        account = account_create(
            actor=acme.owner, company=acme.company, data={"name": "Fabrikam", "domains": []}
        )
        account_update(
            actor=acme.owner,
            company=acme.company,
            account=account,
            data={"domains": ["https://www.Fabrikam.example/about"], "external_id": " F-1 "},
            expected_version=1,
        )
        account.refresh_from_db()
        assert account.domains == ["fabrikam.example"] and account.external_id == "F-1"

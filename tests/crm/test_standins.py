"""The Salesforce and HubSpot stand-ins answer the way the real APIs document, driven through the
client libraries the connectors use (simple-salesforce, hubspot-api-client, requests-oauthlib),
so a connector test that passes against them exercises the real request and response shapes."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import re
import statistics
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.companies import (
    ApiException as CompaniesApiException,
)
from hubspot.crm.companies import (
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import PublicObjectSearchRequest
from hubspot.crm.deals import (
    SimplePublicObjectInputForCreate as DealInput,
)
from requests_oauthlib import OAuth2Session
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from tests.crm.hubspot import STAGES as HS_STAGES
from tests.crm.hubspot import HubSpotStandIn, parse_ms
from tests.crm.salesforce import STAGES, SalesforceStandIn, pkce_pair
from tests.crm.tls import loopback_tls, standin_session

SF_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
HS_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
OPPORTUNITY_FIELDS = (
    "Id, Name, AccountId, Amount, CloseDate, StageName, Probability, NextStep, Description, "
    "CurrencyIsoCode, OwnerId, SystemModstamp, Partner_Notes__c, Deal_Size__c"
)
REDIRECT = "https://app.ecosystem.test/integrations/oauth/callback"


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandIn]:
    with SalesforceStandIn() as standin:
        yield standin
        assert standin.server_errors == []


@pytest.fixture
def sf(salesforce: SalesforceStandIn) -> Salesforce:
    return Salesforce(
        instance_url=salesforce.base_url,
        session_id=salesforce.token_for_tests(),
        session=standin_session(salesforce.ca_path),
    )


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandIn]:
    with HubSpotStandIn() as standin:
        yield standin
        assert standin.server_errors == []


def hubspot_client(standin: HubSpotStandIn, token: str | None = None) -> HubSpot:
    return HubSpot(
        access_token=token or standin.private_app_token(),
        host=standin.base_url,
        ssl_ca_cert=standin.ca_path,
    )


def _opportunity(**values: object) -> dict[str, object]:
    base = {"Name": "Northwind - Platform", "StageName": "Prospecting", "CloseDate": "2026-12-31"}
    return base | values


# -- TLS -------------------------------------------------------------------------------------


def test_both_stand_ins_serve_tls_that_only_the_stand_in_ca_verifies(salesforce, hubspot):
    for standin in (salesforce, hubspot):
        assert standin.base_url.startswith("https://127.0.0.1:")
        assert standin.ca_path == loopback_tls().ca_path
        plain = requests.Session()
        plain.trust_env = False  # the system store: it does not know the stand-in CA
        with pytest.raises(requests.exceptions.SSLError):
            plain.get(standin.base_url + "/services/data/")
        localhost = standin.base_url.replace("127.0.0.1", "localhost")
        assert standin_session().get(localhost + "/anything").status_code in (401, 404)


# -- Salesforce: describe and SOQL -----------------------------------------------------------


def test_simple_salesforce_describes_the_org(salesforce, sf):
    versions = standin_session().get(salesforce.base_url + "/services/data/").json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions

    names = [o["name"] for o in sf.describe()["sobjects"]]
    assert {"Account", "Opportunity", "User"} <= set(names)

    fields = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    stage = fields["StageName"]
    assert stage["type"] == "picklist" and stage["restrictedPicklist"] and not stage["nillable"]
    assert [v["value"] for v in stage["picklistValues"]] == [s for s, _ in STAGES]
    assert set(stage["picklistValues"][0]) >= {"value", "label", "active", "defaultValue"}
    assert (fields["CloseDate"]["type"], fields["CloseDate"]["nillable"]) == ("date", False)
    assert fields["Amount"]["type"] == "currency" and fields["Probability"]["type"] == "percent"
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["AccountId"]["relationshipName"] == "Account"
    assert [v["value"] for v in fields["CurrencyIsoCode"]["picklistValues"]] == [
        "USD",
        "EUR",
        "GBP",
    ]
    assert fields["Partner_Notes__c"]["custom"] and fields["Partner_Notes__c"]["type"] == "textarea"
    assert fields["Deal_Size__c"]["type"] == "double"
    assert not fields["SystemModstamp"]["createable"] and not fields["Id"]["updateable"]

    account = {f["name"]: f for f in sf.Account.describe()["fields"]}
    assert account["Tier__c"]["custom"] and account["Tier__c"]["type"] == "picklist"
    assert account["Website"]["type"] == "url" and account["NumberOfEmployees"]["type"] == "int"
    assert {f["type"] for f in account.values()} >= {
        "id",
        "string",
        "textarea",
        "boolean",
        "datetime",
        "reference",
        "currency",
    }
    user = {f["name"]: f for f in sf.User.describe()["fields"]}
    assert user["Email"]["type"] == "email"


def test_query_all_follows_query_locators_in_the_requested_batch_size(salesforce, sf):
    salesforce.seed(accounts=20, opportunities=2500, owners=2)
    salesforce.clear_requests()
    result = sf.query_all(
        f"SELECT {OPPORTUNITY_FIELDS}, Account.Name FROM Opportunity ORDER BY SystemModstamp, Id",
        headers={"Sforce-Query-Options": "batchSize=1000"},
    )
    assert result["totalSize"] == 2500 and result["done"]
    records = result["records"]
    assert len(records) == 2500 and len({r["Id"] for r in records}) == 2500
    stamps = [r["SystemModstamp"] for r in records]
    assert stamps == sorted(stamps) and all(SF_DATETIME.match(s) for s in stamps)
    first = records[0]
    assert first["attributes"]["type"] == "Opportunity"
    assert first["attributes"]["url"] == f"/services/data/v59.0/sobjects/Opportunity/{first['Id']}"
    assert first["Id"].startswith("006") and len(first["Id"]) == 18
    assert first["Account"]["attributes"]["type"] == "Account" and first["Account"]["Name"]
    paths = [path for _, path in salesforce.requests_seen]
    assert paths[0] == "/services/data/v59.0/query/"
    assert [p.rsplit("-", 1)[1] for p in paths[1:]] == ["1000", "2000"]
    assert all(re.match(r"^/services/data/v59\.0/query/01g\w{15}-\d+$", p) for p in paths[1:])


def test_soql_filters_compare_by_field_type(salesforce, sf):
    account = salesforce.create("Account", {"Name": "Northwind Traders", "Tier__c": "Gold"})
    ids = [
        salesforce.create(
            "Opportunity",
            _opportunity(Name=f"Deal {i}", Amount=i * 1000.0, AccountId=account if i % 2 else None),
        )
        for i in range(1, 7)
    ]
    stamp = salesforce.get("Opportunity", ids[2])["SystemModstamp"]

    def names(where: str) -> list[str]:
        soql = f"SELECT Name FROM Opportunity WHERE {where} ORDER BY Name"
        return [r["Name"] for r in sf.query(soql)["records"]]

    assert names(f"SystemModstamp > {stamp}") == ["Deal 4", "Deal 5", "Deal 6"]
    assert names(f"SystemModstamp >= {stamp.replace('+0000', 'Z')}") == [
        "Deal 3",
        "Deal 4",
        "Deal 5",
        "Deal 6",
    ]
    assert names(f"Id IN ('{ids[0]}', '{ids[1][:15]}')") == ["Deal 1", "Deal 2"]
    assert names(f"Id > '{ids[3]}'") == ["Deal 5", "Deal 6"]
    assert names("name = 'deal 3'") == ["Deal 3"]  # text compares case-insensitively
    assert names("Amount >= 5000 OR (AccountId = null AND Amount < 3000)") == [
        "Deal 2",
        "Deal 5",
        "Deal 6",
    ]
    assert names("Account.Tier__c = 'Gold' AND NOT Name LIKE '%5'") == ["Deal 1", "Deal 3"]
    assert names("IsClosed = false AND CloseDate = 2026-12-31 AND StageName != 'Closed Won'") == [
        f"Deal {i}" for i in range(1, 7)
    ]
    assert sf.query("SELECT COUNT() FROM Opportunity WHERE Amount > 2500")["totalSize"] == 4
    limited = sf.query(
        "SELECT Id FROM Opportunity ORDER BY Amount DESC NULLS LAST LIMIT 2 OFFSET 1"
    )
    assert [r["Id"] for r in limited["records"]] == [ids[4], ids[3]]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id, Colour FROM Opportunity", "INVALID_FIELD"),
        ("SELECT Id FROM Oportunity", "INVALID_TYPE"),
        ("SELECT Id FROM Opportunity WHERE", "MALFORMED_QUERY"),
        ("SELECT FROM Opportunity", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Opportunity WHERE SystemModstamp > '2026-12-07T10:00:00Z'",
            "INVALID_FIELD",
        ),
        ("SELECT Id FROM Opportunity WHERE Amount > '100'", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity WHERE Name = 1", "INVALID_FIELD"),
        (
            "SELECT Id FROM Opportunity WHERE Amount > 1 AND Amount < 5 OR Name = 'x'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id FROM Opportunity WHERE Description = 'x'", "INVALID_FIELD"),
        ("SELECT Id FROM Opportunity WHERE Id = 'nope'", "INVALID_QUERY_FILTER_OPERATOR"),
    ],
)
def test_soql_that_salesforce_refuses_answers_400_with_its_error_code(sf, soql, code):
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query(soql)
    assert raised.value.status == 400
    assert raised.value.content[0]["errorCode"] == code
    assert raised.value.content[0]["message"]


# -- Salesforce: records ---------------------------------------------------------------------


def test_simple_salesforce_creates_updates_and_deletes(salesforce, sf):
    created = sf.Opportunity.create(_opportunity(Amount=1500, CurrencyIsoCode="EUR"))
    assert created["success"] and created["errors"] == []
    record_id = created["id"]
    assert record_id.startswith("006") and len(record_id) == 18
    before = sf.Opportunity.get(record_id)
    assert before["Probability"] == 10.0  # from the stage, as Salesforce derives it
    assert before["OwnerId"] == salesforce.api_user_id and before["IsDeleted"] is False
    assert SF_DATETIME.match(before["CreatedDate"])

    assert sf.Opportunity.update(record_id, {"StageName": "Closed Won", "NextStep": None}) == 204
    after = sf.Opportunity.get(record_id)
    assert (after["StageName"], after["IsWon"], after["Probability"]) == ("Closed Won", True, 100.0)
    assert after["SystemModstamp"] > before["SystemModstamp"]
    assert after["Amount"] == 1500.0 and after["CurrencyIsoCode"] == "EUR"

    assert sf.Opportunity.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as raised:
        sf.Opportunity.get(record_id)
    assert raised.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    gone = f"SELECT Id, IsDeleted FROM Opportunity WHERE Id = '{record_id}'"
    assert sf.query(gone)["totalSize"] == 0
    assert sf.query_all(gone, include_deleted=True)["records"][0]["IsDeleted"] is True

    now = dt.datetime.now(dt.UTC)
    deleted = sf.Opportunity.deleted(now - dt.timedelta(minutes=5), now + dt.timedelta(minutes=1))
    assert [d["id"] for d in deleted["deletedRecords"]] == [record_id]
    assert SF_DATETIME.match(deleted["deletedRecords"][0]["deletedDate"])
    assert SF_DATETIME.match(deleted["earliestDateAvailable"])
    assert SF_DATETIME.match(deleted["latestDateCovered"])


@pytest.mark.parametrize(
    ("values", "code", "fields"),
    [
        ({"Name": "No stage or date"}, "REQUIRED_FIELD_MISSING", ["StageName", "CloseDate"]),
        (
            _opportunity(StageName="Won-ish"),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["StageName"],
        ),
        (
            _opportunity(CurrencyIsoCode="JPY"),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["CurrencyIsoCode"],
        ),
        (_opportunity(Amount="abc"), "JSON_PARSER_ERROR", None),
        (_opportunity(CloseDate="31/12/2026"), "JSON_PARSER_ERROR", None),
        (
            _opportunity(SystemModstamp="2026-12-07T10:00:00.000+0000"),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["SystemModstamp"],
        ),
        (_opportunity(Colour="red"), "INVALID_FIELD", None),
        (_opportunity(AccountId="006Dn0000000AAAAAA"), "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
        (_opportunity(Name="x" * 121), "STRING_TOO_LONG", ["Name"]),
    ],
)
def test_invalid_writes_answer_400_with_salesforce_error_codes(sf, values, code, fields):
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.Opportunity.create(values)
    error = raised.value.content[0]
    assert error["errorCode"] == code
    if fields is not None:
        assert error["fields"] == fields


def test_put_raw_serves_malformed_values_as_stored(salesforce, sf):
    record_id = salesforce.put_raw(
        "Opportunity", {"Name": "Broken", "Amount": "abc", "CloseDate": "31/12/2026"}
    )
    row = sf.query(f"SELECT Name, Amount, CloseDate FROM Opportunity WHERE Id = '{record_id}'")
    assert (row["records"][0]["Amount"], row["records"][0]["CloseDate"]) == ("abc", "31/12/2026")
    sorted_rows = sf.query("SELECT Id FROM Opportunity ORDER BY Amount")  # mixed types still sort
    assert sorted_rows["totalSize"] == 1


def test_system_modstamp_is_strictly_increasing_per_write(salesforce):
    record_id = salesforce.create("Account", {"Name": "Tick"})
    stamps = [salesforce.get("Account", record_id)["SystemModstamp"]]
    for i in range(60):
        salesforce.update("Account", record_id, {"Description": str(i)})
        stamps.append(salesforce.get("Account", record_id)["SystemModstamp"])
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))
    salesforce.advance_clock(3600)
    salesforce.update("Account", record_id, {"Description": "later"})
    later = salesforce.get("Account", record_id)["SystemModstamp"]
    assert later[:13] > stamps[-1][:13]


def test_sobject_collections_retrieve_and_create_per_record(salesforce):
    session = standin_session()
    session.headers["Authorization"] = f"Bearer {salesforce.token_for_tests()}"
    base = f"{salesforce.base_url}/services/data/v62.0/composite/sobjects"
    answer = session.post(
        base,
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "First"},
                {"attributes": {"type": "Account"}, "Website": "https://nameless.example"},
            ],
        },
    )
    assert answer.status_code == 200
    ok, failed = answer.json()
    assert ok["success"] and ok["id"].startswith("001")
    assert failed["success"] is False
    assert failed["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    got = session.get(
        f"{base}/Account", params={"ids": f"{ok['id']},001Dn0000000ZZZZZZ", "fields": "Id,Name"}
    )
    assert got.json()[0]["Name"] == "First" and got.json()[1] is None


# -- Salesforce: Bulk API 2.0 ----------------------------------------------------------------


def test_bulk2_query_pages_csv_by_max_records_and_locator(salesforce, sf, tmp_path):
    salesforce.seed(accounts=10, opportunities=4500, owners=1)
    salesforce.delete("Opportunity", salesforce.put_raw("Opportunity", {"Name": "Gone"}))
    salesforce.clear_requests()
    soql = f"SELECT {OPPORTUNITY_FIELDS}, Account.Name FROM Opportunity"
    chunks = list(sf.bulk2.Opportunity.query(soql, max_records=2000, wait=0.01))
    assert len(chunks) == 3
    rows = [row for chunk in chunks for row in csv.DictReader(io.StringIO(chunk))]
    assert len(rows) == 4500
    assert list(rows[0]) == [*OPPORTUNITY_FIELDS.split(", "), "Account.Name"]
    assert chunks[0].startswith('"Id","Name","AccountId"')  # every value quoted
    assert rows[0]["Description"] == "" and rows[0]["Account.Name"]
    assert SF_DATETIME.match(rows[0]["SystemModstamp"])
    results = [p for m, p in salesforce.requests_seen if p.endswith("/results")]
    assert len(results) == 3

    everything = list(
        sf.bulk2.Opportunity.query_all("SELECT Id, IsDeleted FROM Opportunity", wait=0.01)
    )
    assert sum(chunk.count("\n") - 1 for chunk in everything) == 4501
    files = sf.bulk2.Opportunity.download(
        "SELECT Id FROM Opportunity", str(tmp_path), max_records=3000, wait=0.01
    )
    assert [f["number_of_records"] for f in files] == [3000, 1500]

    session = standin_session()
    session.headers["Authorization"] = f"Bearer {salesforce.token_for_tests()}"
    jobs = f"{salesforce.base_url}/services/data/v59.0/jobs/query"
    job = session.post(jobs, json={"operation": "query", "query": "SELECT Id FROM Account"}).json()
    assert (job["state"], job["object"], job["operation"]) == ("UploadComplete", "Account", "query")
    info = session.get(f"{jobs}/{job['id']}").json()
    assert (info["state"], info["jobType"], info["numberRecordsProcessed"]) == (
        "JobComplete",
        "V2Query",
        10,
    )
    last = session.get(f"{jobs}/{job['id']}/results", params={"maxRecords": 10})
    assert last.headers["Sforce-Locator"] == "null"
    assert last.headers["Sforce-NumberOfRecords"] == "10"
    assert last.headers["Content-Type"].startswith("text/csv")


# -- Salesforce: OAuth, sessions, limits, faults ---------------------------------------------


def _oauth_session(salesforce: SalesforceStandIn) -> OAuth2Session:
    session = OAuth2Session(
        salesforce.client_id,
        redirect_uri=REDIRECT,
        scope=["api", "refresh_token"],
        pkce="S256",
        state="st4te",
    )
    session.verify = salesforce.ca_path
    session.trust_env = False
    return session


def _authorize(session: OAuth2Session, salesforce: SalesforceStandIn) -> str:
    url, state = session.authorization_url(salesforce.base_url + "/services/oauth2/authorize")
    answer = session.get(url, allow_redirects=False)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    return location


def test_oauth_web_server_flow_with_pkce_then_refresh(salesforce):
    session = _oauth_session(salesforce)
    token = session.fetch_token(
        salesforce.base_url + "/services/oauth2/token",
        authorization_response=_authorize(session, salesforce),
        client_secret=salesforce.client_secret,
        include_client_id=True,
    )
    assert token["instance_url"] == salesforce.base_url
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    assert token["id"] == f"{salesforce.base_url}/id/{salesforce.org_id}/{salesforce.api_user_id}"
    assert token["issued_at"].isdigit()
    expected = hmac.new(
        salesforce.client_secret.encode(),
        (token["id"] + token["issued_at"]).encode(),
        hashlib.sha256,
    ).digest()
    assert base64.b64decode(token["signature"]) == expected

    userinfo = session.get(salesforce.base_url + "/services/oauth2/userinfo").json()
    assert userinfo["user_id"] == salesforce.api_user_id
    assert userinfo["organization_id"] == salesforce.org_id
    assert {"preferred_username", "name", "email"} <= set(userinfo)

    sf = Salesforce(
        instance_url=token["instance_url"],
        session_id=token["access_token"],
        session=standin_session(),
    )
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0

    salesforce.expire_access_tokens()
    with pytest.raises(SalesforceExpiredSession) as raised:
        sf.query("SELECT Id FROM Account")
    assert raised.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    refreshed = (
        standin_session()
        .post(
            salesforce.base_url + "/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"],
                "client_id": salesforce.client_id,
                "client_secret": salesforce.client_secret,
            },
        )
        .json()
    )
    assert "refresh_token" not in refreshed and refreshed["instance_url"] == salesforce.base_url
    sf.session_id = refreshed["access_token"]
    sf.headers["Authorization"] = f"Bearer {refreshed['access_token']}"
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 0

    salesforce.revoke_refresh_tokens()
    refused = standin_session().post(
        salesforce.base_url + "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": salesforce.client_id,
            "client_secret": salesforce.client_secret,
        },
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }


def test_token_endpoint_refuses_bad_verifiers_codes_and_clients(salesforce):
    http = standin_session()
    token_url = salesforce.base_url + "/services/oauth2/token"

    def code_for(challenge: str | None) -> str:
        params = {
            "response_type": "code",
            "client_id": salesforce.client_id,
            "redirect_uri": REDIRECT,
            "state": "s",
        }
        if challenge:
            params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
        answer = http.get(
            salesforce.base_url + "/services/oauth2/authorize", params=params, allow_redirects=False
        )
        return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]

    def exchange(code: str, **extra: str) -> requests.Response:
        return http.post(
            token_url,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": salesforce.client_id,
                "client_secret": salesforce.client_secret,
                "redirect_uri": REDIRECT,
            }
            | extra,
        )

    verifier, challenge = pkce_pair()
    wrong = exchange(code_for(challenge), code_verifier=pkce_pair()[0])
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_request")
    missing = exchange(code_for(challenge))
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_grant")
    code = code_for(challenge)
    assert exchange(code, code_verifier=verifier).status_code == 200
    reused = exchange(code, code_verifier=verifier)
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "invalid authorization code",
    }
    moved = exchange(code_for(None), redirect_uri="https://elsewhere.example/cb")
    assert moved.json()["error"] == "invalid_grant"
    secret = exchange(code_for(None), client_secret="wrong")
    assert secret.json() == {
        "error": "invalid_client",
        "error_description": "invalid client credentials",
    }
    access, refresh = salesforce.issue_tokens()
    assert access.startswith(salesforce.org_id[:15] + "!") and refresh


def test_daily_request_limit_answers_403_request_limit_exceeded(salesforce, sf):
    salesforce.set_api_usage(14_998)
    sf.query("SELECT COUNT() FROM Account")
    assert sf.api_usage["api-usage"].used == 14_999
    assert sf.api_usage["api-usage"].total == 15_000
    sf.query("SELECT COUNT() FROM Account")  # the 15,000th request of the day
    with pytest.raises(SalesforceRefusedRequest) as raised:
        sf.query("SELECT COUNT() FROM Account")
    assert raised.value.status == 403
    assert raised.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_fail_next_injects_faults_for_matching_requests(salesforce, sf):
    salesforce.fail_next(503, times=2, path_contains="/query")
    salesforce.fail_next(429, headers={"Retry-After": "7"})
    http = standin_session()
    http.headers["Authorization"] = f"Bearer {salesforce.token_for_tests()}"
    url = salesforce.base_url + "/services/data/v59.0/query/"
    first, second = (http.get(url, params={"q": "SELECT Id FROM Account"}) for _ in range(2))
    assert [first.status_code, second.status_code] == [503, 503]
    assert first.headers["Retry-After"] == "1"
    assert first.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    throttled = http.get(salesforce.base_url + "/services/data/v59.0/sobjects/")
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    assert http.get(url, params={"q": "SELECT Id FROM Account"}).status_code == 200
    salesforce.fail_next(500)
    with pytest.raises(SalesforceGeneralError) as raised:
        sf.query("SELECT Id FROM Account")
    assert raised.value.status == 500
    assert raised.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert salesforce.requests_seen[-1] == ("GET", "/services/data/v59.0/query/")


def test_seeding_and_paging_100k_opportunities_is_fast(salesforce, sf):
    started = time.perf_counter()
    seeded = salesforce.seed(accounts=20_000, opportunities=100_000)
    seed_seconds = time.perf_counter() - started
    assert len(seeded.opportunities) == 100_000 and len(seeded.accounts) == 20_000

    http = standin_session()
    http.headers["Authorization"] = f"Bearer {salesforce.token_for_tests()}"
    started = time.perf_counter()
    answer = http.get(
        salesforce.base_url + "/services/data/v59.0/query/",
        params={
            "q": f"SELECT {OPPORTUNITY_FIELDS} FROM Opportunity "
            "WHERE SystemModstamp > 2000-01-01T00:00:00Z ORDER BY SystemModstamp, Id"
        },
    ).json()
    first_page = time.perf_counter() - started
    pages, count = [], len(answer["records"])
    while not answer["done"]:
        started = time.perf_counter()
        answer = http.get(salesforce.base_url + answer["nextRecordsUrl"]).json()
        pages.append(time.perf_counter() - started)
        count += len(answer["records"])
    query_seconds = first_page + sum(pages)
    assert count == 100_000 and len(pages) == 49

    started = time.perf_counter()
    bulk_rows = sum(
        chunk.count("\n") - 1
        for chunk in sf.bulk2.Opportunity.query(
            f"SELECT {OPPORTUNITY_FIELDS} FROM Opportunity", max_records=2000, wait=0.01
        )
    )
    bulk_seconds = time.perf_counter() - started
    assert bulk_rows == 100_000
    print(
        f"\nseed 20k accounts + 100k opportunities: {seed_seconds:.2f} s"
        f"\nREST query, 50 pages of 2,000: {query_seconds:.2f} s (first page {first_page * 1000:.0f}"
        f" ms, later pages median {statistics.median(pages) * 1000:.0f} ms, max "
        f"{max(pages) * 1000:.0f} ms)"
        f"\nBulk 2.0 results, 50 sets of 2,000 CSV rows: {bulk_seconds:.2f} s"
    )
    assert seed_seconds < 10
    assert statistics.median(pages) < 0.1


# -- HubSpot ---------------------------------------------------------------------------------


def test_hubspot_search_pages_sorted_results_with_requested_properties(hubspot):
    hubspot.seed(companies=5, deals=30)
    api = hubspot_client(hubspot)
    since = hubspot.now_ms() - 20 * 86_400_000
    request = {
        "filter_groups": [
            {
                "filters": [
                    {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": str(since)}
                ]
            }
        ],
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["dealname", "amount", "dealstage"],
        "limit": 7,
    }
    page = api.crm.deals.search_api.do_search(PublicObjectSearchRequest(**request))
    assert page.total < 30 and len(page.results) == 7 and page.paging.next.after == "7"
    first = page.results[0]
    assert set(first.properties) == {
        "dealname",
        "amount",
        "dealstage",
        "hs_object_id",
        "hs_lastmodifieddate",
        "createdate",
    }
    assert first.properties["hs_object_id"] == first.id and first.archived is False
    assert HS_DATETIME.match(first.properties["hs_lastmodifieddate"])
    seen = [r.properties["hs_lastmodifieddate"] for r in page.results]
    after = page.paging.next.after
    while after:
        page = api.crm.deals.search_api.do_search(PublicObjectSearchRequest(**request, after=after))
        seen += [r.properties["hs_lastmodifieddate"] for r in page.results]
        after = page.paging.next.after if page.paging else None
    assert len(seen) == page.total and seen == sorted(seen)

    in_stage = api.crm.deals.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "dealstage",
                            "operator": "IN",
                            "values": ["closedwon", "closedlost"],
                        }
                    ]
                }
            ],
            sorts=["hs_lastmodifieddate"],
            limit=100,
        )
    )
    assert {r.properties["dealstage"] for r in in_stage.results} <= {"closedwon", "closedlost"}
    assert set(in_stage.results[0].properties) == {
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    }


def test_hubspot_companies_create_update_get_and_validation(hubspot):
    api = hubspot_client(hubspot).crm.companies.basic_api
    created = api.create(
        SimplePublicObjectInputForCreate(
            properties={
                "name": "Northwind",
                "domain": "northwind.example",
                "industry": "COMPUTER_SOFTWARE",
                "partner_tier": "gold",
            }
        )
    )
    assert created.id.isdigit() and created.properties["partner_tier"] == "gold"
    assert HS_DATETIME.match(created.properties["createdate"])
    updated = api.update(created.id, SimplePublicObjectInput(properties={"country": "Germany"}))
    assert updated.properties["country"] == "Germany"
    assert updated.updated_at > created.updated_at
    fetched = api.get_by_id(created.id, properties=["name", "country", "partner_tier"])
    assert fetched.properties["country"] == "Germany" and fetched.properties["name"] == "Northwind"

    with pytest.raises(CompaniesApiException) as raised:
        api.update(
            created.id,
            SimplePublicObjectInput(properties={"partner_tier": "diamond", "colour": "red"}),
        )
    body = json.loads(raised.value.body)
    assert raised.value.status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid: ")
    assert [e["code"] for e in body["errors"]] == ["INVALID_OPTION", "PROPERTY_DOESNT_EXIST"]
    assert body["errors"][0]["context"] == {"propertyName": ["partner_tier"]}

    api.archive(created.id)
    with pytest.raises(CompaniesApiException) as raised:
        api.get_by_id(created.id)
    assert raised.value.status == 404
    assert api.get_by_id(created.id, archived=True).archived is True


def test_hubspot_properties_pipelines_and_account_info(hubspot):
    api = hubspot_client(hubspot)
    deals = {p.name: p for p in api.crm.properties.core_api.get_all("deals").results}
    assert {
        "dealname",
        "amount",
        "deal_currency_code",
        "closedate",
        "dealstage",
        "pipeline",
        "description",
        "hs_next_step",
        "hs_deal_stage_probability",
        "hs_lastmodifieddate",
        "createdate",
        "hs_object_id",
        "partner_notes",
    } <= set(deals)
    assert deals["dealstage"].type == "enumeration"
    assert [o.value for o in deals["dealstage"].options] == [s for s, _, _ in HS_STAGES]
    assert deals["closedate"].type == "datetime" and deals["amount"].type == "number"
    assert deals["partner_notes"].hubspot_defined is False
    assert deals["hs_lastmodifieddate"].modification_metadata.read_only_value is True
    companies = {p.name: p for p in api.crm.properties.core_api.get_all("companies").results}
    assert companies["partner_tier"].type == "enumeration"
    assert companies["partner_tier"].hubspot_defined is False
    assert companies["industry"].options[0].label and companies["industry"].options[0].value

    pipeline = api.crm.pipelines.pipelines_api.get_all("deals").results[0]
    assert (pipeline.id, pipeline.label) == ("default", "Sales Pipeline")
    assert [(s.id, s.metadata["probability"]) for s in pipeline.stages] == [
        (s, p) for s, _, p in HS_STAGES
    ]
    info = (
        standin_session()
        .get(
            hubspot.base_url + "/account-info/v3/details",
            headers={"Authorization": f"Bearer {hubspot.private_app_token()}"},
        )
        .json()
    )
    assert info["portalId"] == hubspot.portal_id
    assert {"timeZone", "companyCurrency", "uiDomain", "dataHostingLocation"} <= set(info)


def test_hubspot_deal_company_associations(hubspot):
    api = hubspot_client(hubspot)
    company = hubspot.create("companies", {"name": "Globex"})
    deal = api.crm.deals.basic_api.create(
        DealInput(
            properties={
                "dealname": "Globex renewal",
                "dealstage": "qualifiedtobuy",
                "amount": "1200",
            },
            associations=[
                {
                    "to": {"id": company},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
                }
            ],
        )
    )
    assert deal.properties["hs_deal_stage_probability"] == "0.4"
    assert deal.properties["pipeline"] == "default"
    lonely = hubspot.create("deals", {"dealname": "No company", "dealstage": "closedlost"})

    batch = api.crm.associations.v4.batch_api.get_page(
        "deals",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": deal.id}, {"id": lonely}]),
    )
    assert batch.status == "COMPLETE"
    assert batch.results[0]._from.id == deal.id
    to = batch.results[0].to[0]
    assert to.to_object_id == company
    assert [(t.type_id, t.label) for t in to.association_types] == [(5, "Primary"), (341, None)]
    assert batch.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"

    fetched = api.crm.deals.basic_api.get_by_id(deal.id, associations=["companies"])
    assert [(a.id, a.type) for a in fetched.associations["companies"].results] == [
        (company, "deal_to_company"),
        (company, "deal_to_company_unlabeled"),
    ]

    other = hubspot.create("companies", {"name": "Initech"})
    api.crm.associations.v4.basic_api.create_default("deals", lonely, "companies", other)
    assert (
        api.crm.associations.v4.basic_api.get_page("deals", lonely, "companies")
        .results[0]
        .to_object_id
        == other
    )
    api.crm.associations.v4.basic_api.archive("deals", deal.id, "companies", company)
    assert (
        api.crm.deals.basic_api.get_by_id(deal.id, associations=["companies"]).associations is None
    )


def test_hubspot_oauth_round_trip_refresh_and_expiry(hubspot):
    http = standin_session()
    answer = http.get(
        hubspot.base_url + "/oauth/authorize",
        params={
            "client_id": hubspot.client_id,
            "redirect_uri": REDIRECT,
            "state": "xyz",
            "scope": "oauth crm.objects.deals.read crm.objects.companies.read",
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    oauth = hubspot_client(hubspot).oauth
    tokens = oauth.tokens_api.create(
        grant_type="authorization_code",
        code=query["code"][0],
        redirect_uri=REDIRECT,
        client_id=hubspot.client_id,
        client_secret=hubspot.client_secret,
    )
    assert (tokens.token_type, tokens.expires_in) == ("bearer", 1800)
    info = oauth.access_tokens_api.get(tokens.access_token)
    assert info.hub_id == hubspot.portal_id and "crm.objects.deals.read" in info.scopes
    assert info.token_type == "access" and info.user == hubspot.user_email

    api = hubspot_client(hubspot, tokens.access_token)
    assert api.crm.deals.basic_api.get_page(limit=1).results == []
    with pytest.raises(DealsApiException) as raised:  # deals.write was not granted
        api.crm.deals.basic_api.create(DealInput(properties={"dealname": "x"}))
    assert raised.value.status == 403

    hubspot.expire_access_tokens()
    with pytest.raises(DealsApiException) as raised:
        api.crm.deals.basic_api.get_page(limit=1)
    body = json.loads(raised.value.body)
    assert raised.value.status == 401 and body["category"] == "EXPIRED_AUTHENTICATION"
    assert body["message"].startswith("The OAuth token used to make this call expired")

    refreshed = oauth.tokens_api.create(
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token,
        client_id=hubspot.client_id,
        client_secret=hubspot.client_secret,
    )
    assert refreshed.refresh_token == tokens.refresh_token  # HubSpot keeps the refresh token
    api = hubspot_client(hubspot, refreshed.access_token)
    assert api.crm.deals.basic_api.get_page(limit=1).results == []
    hubspot.advance_clock(1801)  # past the access token's 30 minutes
    with pytest.raises(DealsApiException) as raised:
        api.crm.deals.basic_api.get_page(limit=1)
    assert json.loads(raised.value.body)["category"] == "EXPIRED_AUTHENTICATION"

    with pytest.raises(DealsApiException) as raised:
        hubspot_client(hubspot, "not-a-token").crm.deals.basic_api.get_page(limit=1)
    assert json.loads(raised.value.body)["category"] == "INVALID_AUTHENTICATION"
    hubspot.revoke_refresh_tokens()
    refused = http.post(
        hubspot.base_url + "/oauth/v1/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
            "client_id": hubspot.client_id,
            "client_secret": hubspot.client_secret,
        },
    )
    assert (refused.status_code, refused.json()["status"]) == (400, "BAD_REFRESH_TOKEN")


SEARCH_BY_MODIFIED = {
    "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
    "properties": ["dealname"],
    "limit": 200,
}


def test_hubspot_search_answers_400_past_10000_results(hubspot):
    hubspot.seed(deals=10_150)
    api = hubspot_client(hubspot).crm.deals.search_api
    near_the_end = api.do_search(PublicObjectSearchRequest(**SEARCH_BY_MODIFIED, after="9800"))
    assert near_the_end.total == 10_150
    assert near_the_end.paging.next.after == "10000"
    with pytest.raises(DealsApiException) as raised:
        api.do_search(PublicObjectSearchRequest(**SEARCH_BY_MODIFIED, after="10000"))
    assert raised.value.status == 400
    assert json.loads(raised.value.body)["category"] == "VALIDATION_ERROR"


def test_only_a_connector_that_re_anchors_its_search_reads_past_the_cap():
    # The cap is a constructor argument, so this runs on 1,150 deals rather than 10,150.
    with HubSpotStandIn(search_result_cap=1000, search_rate_limit=None) as hubspot:
        hubspot.seed(deals=1150)
        api = hubspot_client(hubspot).crm.deals.search_api

        def search(anchor: str, after: str | None) -> Any:
            since = {"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": anchor}
            request = PublicObjectSearchRequest(
                **SEARCH_BY_MODIFIED, after=after, filter_groups=[{"filters": [since]}]
            )
            return api.do_search(request)

        naive = search("0", None)
        with pytest.raises(DealsApiException) as raised:
            while naive.paging:
                naive = search("0", naive.paging.next.after)
        assert raised.value.status == 400

        seen: set[str] = set()
        anchor, after = "0", None
        while True:
            page = search(anchor, after)
            seen.update(r.id for r in page.results)
            if not page.paging:
                break
            after = page.paging.next.after
            if int(after) >= 1000:  # restart past the last timestamp seen
                anchor = str(parse_ms(page.results[-1].properties["hs_lastmodifieddate"]))
                after = None
        assert len(seen) == 1150


def test_hubspot_search_secondly_limit_answers_429(hubspot):
    api = hubspot_client(hubspot).crm.deals.search_api
    for _ in range(5):
        api.do_search(PublicObjectSearchRequest(limit=1))
    with pytest.raises(DealsApiException) as raised:
        api.do_search(PublicObjectSearchRequest(limit=1))
    body = json.loads(raised.value.body)
    assert raised.value.status == 429
    assert (body["errorType"], body["policyName"]) == ("RATE_LIMIT", "SECONDLY")
    assert body["message"] == "You have reached your secondly limit."
    other = hubspot_client(hubspot, hubspot.issue_tokens()[0]).crm.deals.search_api
    assert other.do_search(PublicObjectSearchRequest(limit=1)).total == 0  # limits are per token
    time.sleep(1.0)
    assert api.do_search(PublicObjectSearchRequest(limit=1)).total == 0


def test_hubspot_fail_next_put_raw_and_clock(hubspot):
    api = hubspot_client(hubspot).crm.deals.basic_api
    hubspot.fail_next(500, path_contains="/crm/v3/objects/deals")
    # Without Retry-After: urllib3, under the HubSpot client, silently retries a 429 or 503 that
    # carries one (its default Retry respects the header).
    hubspot.fail_next(429, headers={"X-HubSpot-RateLimit-Remaining": "0"})
    with pytest.raises(DealsApiException) as raised:
        api.get_page()
    assert raised.value.status == 500
    with pytest.raises(DealsApiException) as raised:
        api.get_page()
    assert raised.value.status == 429
    assert json.loads(raised.value.body)["policyName"] == "SECONDLY"
    assert api.get_page().results == []
    assert [p for _, p in hubspot.requests_seen] == ["/crm/v3/objects/deals"] * 3

    broken = hubspot.put_raw(
        "deals", {"dealname": "Broken", "amount": "abc", "closedate": "31/12/2026"}
    )
    got = api.get_by_id(broken, properties=["amount", "closedate"])
    assert (got.properties["amount"], got.properties["closedate"]) == ("abc", "31/12/2026")

    deal = hubspot.create("deals", {"dealname": "Tick", "dealstage": "contractsent"})
    stamps = [hubspot.get("deals", deal)["properties"]["hs_lastmodifieddate"]]
    for i in range(30):
        hubspot.update("deals", deal, {"hs_next_step": str(i)})
        stamps.append(hubspot.get("deals", deal)["properties"]["hs_lastmodifieddate"])
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))
    hubspot.advance_clock(86_400)
    hubspot.update("deals", deal, {"closedate": "2027-01-15"})
    later = hubspot.get("deals", deal)["properties"]
    assert later["hs_lastmodifieddate"][:10] > stamps[-1][:10]
    assert later["closedate"] == "2027-01-15T00:00:00.000Z"

"""Integrations discover the business schema and send custom values the same way pages do."""

import pytest
from django_tenants.utils import schema_context

from pipeline.models import Opportunity
from tests.api.test_api import OPPORTUNITY, api
from tests.builders import client_on
from tests.business.helpers import field_make


@pytest.mark.django_db
def test_fields_endpoint_publishes_the_schema_with_choices(
    acme, globex, django_assert_max_num_queries
):
    field_make(acme, key="region", field_type="choice", vocabulary="regions", required=True)
    field_make(acme, key="seats", field_type="number", object_type="solution")
    client = api(acme)
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/fields/?object_type=opportunity").json()
    assert [f["key"] for f in body] == ["region"]
    region = body[0]
    assert (region["field_type"], region["required"], region["vocabulary"]) == (
        "choice",
        True,
        "regions",
    )
    assert {
        "key": "emea",
        "label": "Europe, Middle East & Africa",
        "parent": None,
        "retired": False,
    } in region["choices"]
    # another company's schema is its own: globex has no such field
    assert api(globex).get("/api/v1/fields/").json() == []


@pytest.mark.django_db
def test_custom_values_through_the_api_validate_like_the_pages(acme):
    field_make(acme, key="region", field_type="choice", vocabulary="regions", required=True)
    field_make(acme, key="seats", field_type="number")
    client = api(acme)
    with schema_context(acme.company.schema_name):
        count = Opportunity.objects.count()
    bad = client.post(
        "/api/v1/opportunities/",
        {**OPPORTUNITY, "custom_fields": {"region": "mars", "seats": "many", "typo": 1}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["custom_fields"] == {
        "region": ["“mars” is not one of the choices for Region."],
        "seats": ["Enter a number."],
        "typo": ["There is no such field."],
    }
    missing = client.post("/api/v1/opportunities/", OPPORTUNITY, content_type="application/json")
    assert missing.json()["custom_fields"] == {"region": ["Region is required."]}
    with schema_context(acme.company.schema_name):
        assert Opportunity.objects.count() == count
    created = client.post(
        "/api/v1/opportunities/",
        {**OPPORTUNITY, "custom_fields": {"region": "emea", "seats": 3}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["custom_fields"] == {"region": "emea", "seats": 3}
    patched = client.patch(
        f"/api/v1/opportunities/{body['id']}/",
        {"custom_fields": {"seats": 5}, "version": body["version"]},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["custom_fields"] == {"region": "emea", "seats": 5}
    cleared_required = client.patch(
        f"/api/v1/opportunities/{body['id']}/",
        {"custom_fields": {"region": None}, "version": patched.json()["version"]},
        content_type="application/json",
    )
    assert cleared_required.status_code == 400
    assert cleared_required.json()["custom_fields"] == {"region": ["Region is required."]}


@pytest.mark.parametrize(
    ("object_type", "url", "payload"),
    [
        ("solution", "/api/v1/solutions/", {"name": "Edge AI", "status": "available"}),
        (
            "marketing_plan",
            "/api/v1/marketing-plans/",
            {
                "name": "FY27 launch",
                "period_start": "2027-01-01",
                "period_end": "2027-03-31",
                "budget": "1000.00",
            },
        ),
    ],
)
@pytest.mark.django_db
def test_solutions_and_plans_carry_custom_fields_too(acme, object_type, url, payload):
    field_make(
        acme, key="segment", field_type="choice", vocabulary="industries", object_type=object_type
    )
    client = api(acme)
    bad = client.post(
        url, {**payload, "custom_fields": {"segment": "space"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert list(bad.json()["custom_fields"]) == ["segment"]
    good = client.post(
        url, {**payload, "custom_fields": {"segment": "retail"}}, content_type="application/json"
    )
    assert good.status_code == 201, good.content
    assert good.json()["custom_fields"] == {"segment": "retail"}
    page_path = url.replace("/api/v1", "").replace("marketing-plans", "marketing")
    detail = client_on(acme.host, acme.member).get(f"{page_path}{good.json()['id']}/")
    assert detail.status_code == 200 and "Retail" in detail.content.decode()


@pytest.mark.django_db
def test_openapi_document_describes_each_companys_custom_fields(acme, globex):
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    field_make(acme, key="weighted", field_type="number", formula="amount * 0.5")
    field_make(acme, key="seats", field_type="number", object_type="solution")
    document = api(acme).get("/api/v1/schema/?format=json").json()
    schemas = document["components"]["schemas"]
    custom = schemas["Opportunity"]["properties"]["custom_fields"]
    assert custom["additionalProperties"] is False
    assert custom["properties"]["region"]["enum"] == ["amer", "emea", "apac"]
    assert custom["properties"]["weighted"]["readOnly"] is True
    assert "seats" not in custom["properties"]
    assert (
        schemas["Solution"]["properties"]["custom_fields"]["properties"]["seats"]["type"]
        == "number"
    )
    # another company's document describes its own (empty) schema
    other = api(globex).get("/api/v1/schema/?format=json").json()
    assert (
        other["components"]["schemas"]["Opportunity"]["properties"]["custom_fields"]["properties"]
        == {}
    )

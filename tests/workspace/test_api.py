"""/api/v1/ on a company host: same membership rule as the pages, JSON errors."""

import pytest

from audit.models import AuditEvent
from tests.builders import client_on


@pytest.mark.django_db
def test_me_describes_the_caller_and_their_workspaces(acme, django_assert_max_num_queries):
    client = client_on(acme.host, acme.member)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/me/")
    assert response.status_code == 200
    data = response.json()
    assert data["user"]["email"] == acme.member.email
    assert data["membership"] == {
        "company": "acme",
        "company_name": "Acme Robotics",
        "role": "member",
        "title": "",
    }
    assert [m["company"] for m in data["memberships"]] == ["acme"]


@pytest.mark.django_db
def test_company_profile_read_and_patch_by_admin(acme):
    client = client_on(acme.host, acme.admin)
    assert client.get("/api/v1/company/").json()["slug"] == "acme"
    response = client.patch(
        "/api/v1/company/",
        {"website": "https://acme.example", "regions": ["EMEA", "APAC"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["regions"] == ["EMEA", "APAC"]
    assert AuditEvent.objects.filter(
        company=acme.company, action="company.profile_updated"
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"website": "nope"}, "website"),
        ({"offerings": ["bogus"]}, "offerings"),
        ({"regions": "EMEA"}, "regions"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_patch_is_a_structured_400_and_changes_nothing(acme, payload, field):
    response = client_on(acme.host, acme.admin).patch(
        "/api/v1/company/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    acme.company.refresh_from_db()
    assert (
        acme.company.website == ""
        and acme.company.regions == []
        and acme.company.name == "Acme Robotics"
    )


@pytest.mark.django_db
def test_member_cannot_patch_company(acme):
    response = client_on(acme.host, acme.member).patch(
        "/api/v1/company/", {"website": "https://x.example"}, content_type="application/json"
    )
    assert response.status_code == 403
    acme.company.refresh_from_db()
    assert acme.company.website == ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/company/"])
def test_other_company_user_gets_404_and_changes_nothing(acme, globex, path):
    client = client_on(acme.host, globex.owner)
    assert client.get(path).status_code == 404
    assert (
        client.patch(
            path, {"website": "https://evil.example"}, content_type="application/json"
        ).status_code
        == 404
    )
    acme.company.refresh_from_db()
    assert acme.company.website == ""


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/company/"])
def test_anonymous_api_calls_are_refused(acme, path):
    response = client_on(acme.host).get(path)
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served(acme):
    client = client_on(acme.host, acme.member)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/company/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content

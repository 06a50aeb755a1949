"""Solutions: a company's own, private until shared; shared read-only with partners."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from identity.tokens import token_create
from sharing.models import SharedRecord
from solutions.models import Solution
from tests.builders import client_on, company_make
from tests.sharing.helpers import partners_make, solution_make

GOOD = {
    "name": "Edge AI kit",
    "summary": "Vision at the edge",
    "categories": "AI, Hardware",
    "industries": "Retail",
    "regions": "EMEA",
    "status": "available",
}


@pytest.mark.django_db
def test_create_list_edit_and_archive(acme, globex):
    client = client_on(acme.host, acme.member)
    assert client.post("/solutions/new/", GOOD).status_code == 302
    with schema_context(acme.company.schema_name):
        solution = Solution.objects.get(name="Edge AI kit")
    assert solution.categories == ["AI", "Hardware"]
    with schema_context(globex.company.schema_name):
        assert not Solution.objects.filter(name="Edge AI kit").exists()
    assert "Edge AI kit" in client.get("/solutions/?q=edge").content.decode()
    assert "Edge AI kit" not in client.get("/solutions/?status=retired").content.decode()
    assert (
        client.post(
            f"/solutions/{solution.pk}/edit/", {**GOOD, "status": "retired", "version": 1}
        ).status_code
        == 302
    )
    stale = client.post(f"/solutions/{solution.pk}/edit/", {**GOOD, "name": "Late", "version": 1})
    assert stale.status_code == 200 and b'data-testid="edit-conflict"' in stale.content
    client.post(f"/solutions/{solution.pk}/archive/")
    assert ">Edge AI kit</a>" not in client.get("/solutions/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"status": "gone"}, "Select a valid choice"),
        ({"industries": "x" * 61}, "at most 60 characters"),
    ],
)
def test_bad_solution_input_is_refused(acme, change, message):
    response = client_on(acme.host, acme.member).post("/solutions/new/", {**GOOD, **change})
    assert response.status_code == 200 and message in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert Solution.objects.count() == 0


@pytest.mark.django_db
def test_share_a_solution_with_a_partner_who_reads_it_but_cannot_edit(acme, globex):
    partners_make(acme, globex)
    solution = solution_make(acme)
    client_on(acme.host, acme.member).post(
        f"/solutions/{solution.pk}/share/", {"partner": "globex", "role": "contributor"}
    )
    record = SharedRecord.objects.get(source_id=solution.pk)
    assert record.kind == "solution" and record.payload["industries"] == ["Manufacturing"]
    page = client_on(globex.host, globex.member).get(f"/shared/{record.pk}/")
    assert page.status_code == 200 and "Predictive maintenance" in page.content.decode()
    refused = client_on(globex.host, globex.member).post(
        f"/shared/{record.pk}/collaborate/",
        {"stage": "won", "version": record.version},
        follow=True,
    )
    assert b"no fields partners edit together" in refused.content
    assert (
        client_on(company_make("stranger").host, None).get(f"/shared/{record.pk}/").status_code
        == 302
    )


@pytest.mark.django_db
def test_solutions_api_with_conflicts_and_isolation(acme, globex):
    _, plain = token_create(actor=acme.member, company=acme.company, name="t")
    api = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
    created = api.post(
        "/api/v1/solutions/",
        {"name": "Data hub", "industries": ["Energy"], "status": "draft"},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        api.patch(
            f"/api/v1/solutions/{pk}/",
            {"status": "available", "version": 1},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        api.patch(
            f"/api/v1/solutions/{pk}/",
            {"status": "retired", "version": 1},
            content_type="application/json",
        ).status_code
        == 409
    )
    assert (
        api.post(
            "/api/v1/solutions/", {"name": "", "status": "nope"}, content_type="application/json"
        ).status_code
        == 400
    )
    _, other = token_create(actor=globex.member, company=globex.company, name="t")
    assert (
        Client(HTTP_HOST=globex.host, HTTP_AUTHORIZATION=f"Bearer {other}")
        .get(f"/api/v1/solutions/{pk}/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_public_solutions_show_on_the_company_profile_until_unlisted(acme, globex):
    from sharing.models import DirectoryListing

    client = client_on(acme.host, acme.member)
    client.post("/solutions/new/", {**GOOD, "is_public": "on"})
    client.post("/solutions/new/", {**GOOD, "name": "Secret sauce"})
    profile = (
        client_on(globex.host, globex.member).get("/partners/directory/acme/").content.decode()
    )
    assert "Edge AI kit" in profile and "Secret sauce" not in profile
    with schema_context(acme.company.schema_name):
        solution = Solution.objects.get(name="Edge AI kit")
    client.post(f"/solutions/{solution.pk}/edit/", {**GOOD, "version": 1})  # is_public unticked
    assert not DirectoryListing.objects.filter(company=acme.company).exists()
    assert (
        "Edge AI kit"
        not in client_on(globex.host, globex.member)
        .get("/partners/directory/acme/")
        .content.decode()
    )


@pytest.mark.django_db
def test_view_as_works_for_solutions_and_plans(acme, globex):
    from tests.sharing.helpers import plan_make

    partners_make(acme, globex)
    solution = solution_make(acme)
    plan, _ = plan_make(acme)
    client = client_on(acme.host, acme.member)
    solution_page = client.get(f"/solutions/{solution.pk}/preview/globex/").content.decode()
    assert (
        'data-testid="preview-banner"' in solution_page
        and "Predictive maintenance" in solution_page
    )
    plan_page = client.get(f"/marketing/{plan.pk}/preview/globex/").content.decode()
    assert "Webinar series" in plan_page and "Book speakers" not in plan_page
    assert not SharedRecord.objects.exists()
    assert (
        client_on(acme.host, globex.owner)
        .get(f"/solutions/{solution.pk}/preview/globex/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_lists_sort_and_ignore_unknown_sorts(acme):
    from tests.sharing.helpers import plan_make

    for name in ("Beta", "Alpha", "Gamma"):
        solution_make(acme, name=name)
    client = client_on(acme.host, acme.member)
    page = client.get("/solutions/?sort=name").content.decode()
    assert page.index(">Alpha<") < page.index(">Beta<") < page.index(">Gamma<")
    newest = client.get("/solutions/?sort=-created_at").content.decode()
    assert newest.index(">Gamma<") < newest.index(">Alpha<")
    assert client.get("/solutions/?sort=password").status_code == 200
    plan_make(acme)
    assert client.get("/marketing/?sort=-budget").status_code == 200
    assert client.get("/marketing/?sort=drop table").status_code == 200

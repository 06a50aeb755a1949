"""Marketing plans: campaigns shared with the plan, tasks private, the usual isolation."""

import pytest
from django_tenants.utils import schema_context

from marketing.models import Campaign, MarketingPlan, PlanTask
from sharing.models import SharedRecord
from tests.builders import client_on
from tests.sharing.helpers import partners_make, plan_make

GOOD = {
    "name": "H2 partner push",
    "objective": "Grow sourced pipeline",
    "period_start": "2027-07-01",
    "period_end": "2027-12-31",
    "budget": "50000",
    "currency": "usd",
}


@pytest.mark.django_db
def test_create_plan_add_campaign_and_task(acme, globex):
    client = client_on(acme.host, acme.member)
    assert client.post("/marketing/new/", GOOD).status_code == 302
    with schema_context(acme.company.schema_name):
        plan = MarketingPlan.objects.get(name="H2 partner push")
    assert plan.currency == "USD"
    assert (
        client.post(
            f"/marketing/{plan.pk}/campaigns/",
            {
                "name": "Roadshow",
                "starts_on": "2027-09-01",
                "ends_on": "2027-09-30",
                "target_leads": "120",
                "target_pipeline": "400000",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/marketing/{plan.pk}/tasks/",
            {"title": "Book venues", "owner_id": str(acme.admin.pk), "due_on": "2027-08-01"},
        ).status_code
        == 302
    )
    with schema_context(acme.company.schema_name):
        task = PlanTask.objects.get(plan=plan)
        assert Campaign.objects.filter(plan=plan).count() == 1 and task.owner_id == acme.admin.pk
    client.post(f"/marketing/{plan.pk}/tasks/{task.pk}/toggle/")
    with schema_context(acme.company.schema_name):
        assert PlanTask.objects.get(pk=task.pk).done
    page = client.get("/marketing/").content.decode()
    assert "H2 partner push" in page
    with schema_context(globex.company.schema_name):
        assert not MarketingPlan.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_suffix", "data", "message"),
    [
        ("new", {**GOOD, "period_end": "2027-01-01"}, "end on or after its start"),
        ("new", {**GOOD, "budget": "-1"}, "greater than or equal to 0"),
        (
            "campaign",
            {
                "name": "Bad",
                "starts_on": "2027-09-30",
                "ends_on": "2027-09-01",
                "target_leads": "1",
                "target_pipeline": "0",
            },
            "end on or after its start",
        ),
        ("task", {"title": "Hand to an outsider", "owner_id": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_plan_input_is_refused_and_nothing_saved(acme, path_suffix, data, message):
    client = client_on(acme.host, acme.member)
    if path_suffix == "new":
        response = client.post("/marketing/new/", data)
        counts = lambda: MarketingPlan.objects.count()  # noqa: E731
    else:
        plan, _ = plan_make(acme)
        response = client.post(
            f"/marketing/{plan.pk}/{'campaigns' if path_suffix == 'campaign' else 'tasks'}/", data
        )
        counts = lambda: (Campaign.objects.count(), PlanTask.objects.count())  # noqa: E731
    assert response.status_code == 200 and message in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert counts() in (0, (1, 1))


@pytest.mark.django_db
def test_shared_plan_shows_campaigns_but_never_tasks(acme, globex):
    partners_make(acme, globex)
    plan, _ = plan_make(acme)
    client_on(acme.host, acme.member).post(
        f"/marketing/{plan.pk}/share/", {"partner": "globex", "role": "viewer"}
    )
    record = SharedRecord.objects.get(source_id=plan.pk)
    assert record.kind == "marketing_plan"
    assert (
        record.payload["campaigns"][0]["name"] == "Webinar series"
        and record.payload["budget"] == "80000.00"
    )
    assert "Book speakers" not in str(record.payload)
    page = client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").content.decode()
    assert "FY27 EMEA launch" in page and "Book speakers" not in page
    assert 'data-testid="shared-campaigns"' in page and "Webinar series" in page
    # a new campaign reaches the partner; a new task does not
    client_on(acme.host, acme.member).post(
        f"/marketing/{plan.pk}/campaigns/",
        {
            "name": "Partner summit",
            "starts_on": "2027-04-01",
            "ends_on": "2027-04-02",
            "target_leads": "50",
            "target_pipeline": "0",
        },
    )
    record.refresh_from_db()
    assert [c["name"] for c in record.payload["campaigns"]] == ["Webinar series", "Partner summit"]


@pytest.mark.django_db
def test_another_companys_plan_is_404(acme, globex):
    plan, task = plan_make(globex)
    client = client_on(acme.host, acme.owner)
    assert client.get(f"/marketing/{plan.pk}/").status_code == 404
    assert client.post(f"/marketing/{plan.pk}/tasks/{task.pk}/toggle/").status_code == 404


@pytest.mark.django_db
def test_marketing_plans_api(acme, globex):
    from django.test import Client

    from identity.tokens import token_create

    _, plain = token_create(actor=acme.member, company=acme.company, name="t")
    api = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {plain}")
    created = api.post(
        "/api/v1/marketing-plans/", {**GOOD, "budget": "1000.00"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        api.post(
            f"/api/v1/marketing-plans/{pk}/campaigns/",
            {"name": "Launch", "starts_on": "2027-08-01", "ends_on": "2027-08-02"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        api.post(
            f"/api/v1/marketing-plans/{pk}/campaigns/",
            {"name": "Bad", "starts_on": "2027-08-02", "ends_on": "2027-08-01"},
            content_type="application/json",
        ).status_code
        == 400
    )
    assert (
        api.post(
            f"/api/v1/marketing-plans/{pk}/tasks/",
            {"title": "Brief agency", "owner_id": globex.member.pk},
            content_type="application/json",
        ).status_code
        == 400
    )
    detail = api.get(f"/api/v1/marketing-plans/{pk}/").json()
    assert [c["name"] for c in detail["campaigns"]] == ["Launch"] and detail["currency"] == "USD"
    assert (
        api.patch(
            f"/api/v1/marketing-plans/{pk}/",
            {"budget": "2000", "version": 1},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert (
        api.patch(
            f"/api/v1/marketing-plans/{pk}/",
            {"budget": "3000", "version": 1},
            content_type="application/json",
        ).status_code
        == 409
    )
    _, other = token_create(actor=globex.member, company=globex.company, name="t")
    assert (
        Client(HTTP_HOST=globex.host, HTTP_AUTHORIZATION=f"Bearer {other}")
        .get(f"/api/v1/marketing-plans/{pk}/")
        .status_code
        == 404
    )

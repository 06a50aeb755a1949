"""Admin-defined metrics over the company's own records: computed in one aggregate query
each, labelled in the company's words, money in the workspace currency only, drawn on the
dashboard and the Reports page, and served by the API."""

import datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from business.models import Term
from reports.models import Metric
from reports.selectors import all_metrics
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import opportunity_make


def _metric(world, **fields) -> Metric:  # type: ignore[no-untyped-def]
    from reports.services import metric_create

    with schema_context(world.company.schema_name):
        return metric_create(actor=world.admin, data={"object_type": "opportunity", **fields})


def _computed(world):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return {m.metric.name: m for m in all_metrics(company=world.company)}


@pytest.fixture
def pipeline(acme):  # type: ignore[no-untyped-def]
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    field_make(
        acme,
        key="weighted",
        field_type="money",
        formula='amount * CASE(stage, "propose", 0.5, 0.1)',
    )
    with schema_context(acme.company.schema_name):
        Term.objects.filter(vocabulary__key="stages", key="propose").update(label="Solutioning")
    from business.labels import forget_company_labels

    with schema_context(acme.company.schema_name):
        forget_company_labels()
    deals = [
        ("A", "100000", "USD", "propose", "emea", datetime.date(2027, 1, 15)),
        ("B", "50000", "USD", "propose", "amer", datetime.date(2027, 2, 10)),
        ("C", "20000", "USD", "qualify", "emea", datetime.date(2027, 4, 1)),
        ("D", "70000", "EUR", "qualify", "emea", datetime.date(2027, 4, 2)),
        ("E", "10000", "USD", "won", None, datetime.date(2026, 12, 1)),
    ]
    for name, amount, currency, stage, region, close in deals:
        opportunity_make(
            acme,
            customer_name=name,
            amount=Decimal(amount),
            currency=currency,
            stage=stage,
            close_date=close,
            custom={"region": region} if region else {},
        )
    return acme


@pytest.mark.django_db
def test_sum_by_stage_in_the_companys_words_leaving_other_currencies_out(pipeline):
    _metric(pipeline, name="Pipeline by stage", measure="sum", field="amount", group_by="stage")
    data = _computed(pipeline)["Pipeline by stage"].data
    assert data.labels == ["Qualify", "Solutioning", "Won"]
    assert data.values == [20000.0, 150000.0, 10000.0]
    assert data.left_out == 1 and data.currency == "USD" and data.unit == "money"
    assert data.total == 180000.0 and data.records == 4


@pytest.mark.django_db
def test_custom_choice_grouping_derived_money_and_open_only(pipeline):
    _metric(
        pipeline,
        name="Weighted by region",
        measure="sum",
        field="custom.weighted",
        group_by="custom.region",
        open_only=True,
        chart="doughnut",
    )
    _metric(pipeline, name="Open deals", measure="count", open_only=True)
    _metric(pipeline, name="Average deal", measure="avg", field="amount")
    computed = _computed(pipeline)
    weighted = computed["Weighted by region"].data
    # emea: 50,000 (A) + 2,000 (C) + 7,000 (D, EUR → left out); amer: 25,000
    assert dict(zip(weighted.labels, weighted.values, strict=True)) == {
        "Europe, Middle East & Africa": 52000.0,
        "Americas": 25000.0,
    }
    assert computed["Open deals"].data.total == 4.0 and computed["Open deals"].chart == "number"
    assert computed["Average deal"].data.total == 45000.0  # (100k+50k+20k+10k)/4 in USD


@pytest.mark.django_db
def test_close_quarters_follow_the_fiscal_year(pipeline):
    with schema_context(pipeline.company.schema_name):
        from workspace.models import WorkspaceSettings

        WorkspaceSettings.objects.update(fiscal_year_start_month=2)
    _metric(pipeline, name="By quarter", measure="count", group_by="close_quarter", chart="line")
    data = _computed(pipeline)["By quarter"].data
    # FY starts in February: Dec 2026 and Jan 2027 are Q4 FY2027, Feb Q1 FY2028, Apr Q1 FY2028
    assert data.labels == ["Q4 FY2027", "Q1 FY2028"]
    assert data.values == [2.0, 3.0]


@pytest.mark.django_db
def test_definitions_that_cannot_be_drawn_are_refused_with_reasons(acme):
    from django.core.exceptions import ValidationError

    from reports.services import metric_create

    with schema_context(acme.company.schema_name), pytest.raises(ValidationError) as refused:
        metric_create(
            actor=acme.admin,
            data={
                "name": "",
                "object_type": "opportunity",
                "measure": "sum",
                "chart": "line",
                "group_by": "stage",
            },
        )
    errors = refused.value.message_dict
    assert "Name the metric" in errors["name"][0]
    assert "number, money or percent field" in errors["field"][0]
    assert "A line needs a time" in errors["chart"][0]
    page = client_on(acme.host, acme.admin).post(
        "/settings/metrics/",
        {
            "name": "X",
            "object_type": "opportunity",
            "measure": "count",
            "group_by": "stage",
            "chart": "number",
        },
    )
    assert "One number can&#x27;t show groups" in page.content.decode()
    far = client_on(acme.host, acme.admin).post(
        "/settings/metrics/",
        {
            "name": "Y",
            "object_type": "opportunity",
            "measure": "count",
            "chart": "number",
            "position": "99999999999",
        },
    )
    assert far.status_code == 200 and "Give a position from 0 to 10,000." in far.content.decode()
    with schema_context(acme.company.schema_name):
        assert not Metric.objects.exists()


@pytest.mark.django_db
def test_a_retired_field_shows_a_problem_instead_of_a_wrong_chart(acme):
    from business.services import field_retire

    region = field_make(acme, key="region", field_type="choice", vocabulary="regions")
    _metric(acme, name="By region", measure="count", group_by="custom.region")
    with schema_context(acme.company.schema_name):
        field_retire(actor=acme.owner, definition=region, retired=True)
    page = client_on(acme.host, acme.member).get("/reports/").content.decode()
    assert 'data-testid="metric-problem"' in page


@pytest.mark.django_db
def test_dashboard_draws_metrics_in_bounded_queries(pipeline, django_assert_max_num_queries):
    for i in range(4):
        _metric(pipeline, name=f"M{i}", measure="sum", field="amount", group_by="stage")
    _metric(pipeline, name="People", measure="count", group_by="owner", chart="hbar")
    client = client_on(pipeline.host, pipeline.member)
    client.get("/")
    # the dashboard's 12 + workspace settings, definitions, people, and one query per metric
    with django_assert_max_num_queries(14 + 3 + 5):
        page = client.get("/").content.decode()
    assert page.count('data-chart="bar"') == 4 and 'data-chart="hbar"' in page
    assert "chart.umd.min.js" in page and 'data-testid="metric-left-out"' in page
    for _ in range(20):
        opportunity_make(pipeline)
    with django_assert_max_num_queries(14 + 3 + 5):
        client.get("/")


@pytest.mark.django_db
def test_metrics_api_serves_the_same_numbers(pipeline, globex):
    metric = _metric(
        pipeline, name="Pipeline by stage", measure="sum", field="amount", group_by="stage"
    )
    client = client_on(pipeline.host, pipeline.member)
    listed = client.get("/api/v1/metrics/").json()
    assert listed[0]["labels"] == ["Qualify", "Solutioning", "Won"] and listed[0]["left_out"] == 1
    one = client.get(f"/api/v1/metrics/{metric.pk}/").json()
    assert one["values"] == [20000.0, 150000.0, 10000.0]
    assert client.get("/api/v1/metrics/999999/").status_code == 404
    # globex has no metrics of its own, and acme's are not on globex's host
    assert client_on(globex.host, globex.member).get("/api/v1/metrics/").json() == []
    assert client_on(pipeline.host, globex.member).get("/api/v1/metrics/").status_code == 404


@pytest.mark.django_db
def test_only_admins_define_metrics_and_members_see_an_empty_state(acme):
    member = client_on(acme.host, acme.member)
    assert member.get("/settings/metrics/").status_code == 403
    page = member.get("/reports/").content.decode()
    assert 'data-testid="empty-state"' in page and "An admin defines" in page


@pytest.mark.django_db
def test_figures_are_reused_for_a_while_and_refresh_on_request(pipeline):
    _metric(pipeline, name="Open deals", measure="count", open_only=True)
    client = client_on(pipeline.host, pipeline.member)

    def number(path: str) -> str:
        page = client.get(path).content.decode()
        return page.split('data-testid="metric-number">')[1].split("<")[0]

    assert number("/reports/") == "4"
    opportunity_make(pipeline)  # one more open deal
    assert number("/reports/") == "4"  # as of the last computation (the card says when)
    assert number("/reports/?refresh=1") == "5"
    assert number("/") == "5"
    assert "As of" in client.get("/reports/").content.decode()
    # a changed definition is computed afresh
    from reports.services import metric_update

    with schema_context(pipeline.company.schema_name):
        metric = Metric.objects.get(name="Open deals")
        metric_update(actor=pipeline.admin, metric=metric, data={"open_only": False})
    assert number("/reports/") == "6"

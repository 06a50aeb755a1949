"""Lists filter and sort by custom fields, on the page and through the API, with a bounded
number of queries."""

import pytest

from tests.api.test_api import api
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import opportunity_make


@pytest.fixture
def deals(acme):  # type: ignore[no-untyped-def]
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    field_make(acme, key="seats", field_type="number")
    field_make(acme, key="kickoff", field_type="date")
    field_make(acme, key="champion", field_type="user")
    made = {}
    for name, custom in [
        ("Alpha", {"region": "emea", "seats": 10, "kickoff": "2027-01-10"}),
        ("Bravo", {"region": "emea", "seats": 250, "kickoff": "2027-03-01"}),
        ("Charlie", {"region": "amer", "seats": 40, "champion": acme.member.pk}),
        ("Delta", {}),
    ]:
        made[name] = opportunity_make(acme, customer_name=name, custom=custom)
    return made


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["customer_name"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_api_filters_and_sorts_by_custom_fields(acme, deals):
    client = api(acme)
    get = lambda query: client.get(f"/api/v1/opportunities/?{query}")  # noqa: E731
    assert _names(get("cf_region=emea&sort=customer_name")) == ["Alpha", "Bravo"]
    assert _names(get("cf_region=emea&cf_region=amer&sort=customer_name")) == [
        "Alpha",
        "Bravo",
        "Charlie",
    ]
    assert _names(get("cf_seats__gte=40&sort=-cf_seats")) == ["Bravo", "Charlie"]
    assert _names(get("cf_kickoff__lte=2027-02-01")) == ["Alpha"]
    assert _names(get(f"cf_champion={acme.member.pk}")) == ["Charlie"]
    # records without a value sort last, whichever the direction
    assert _names(get("sort=cf_seats")) == ["Alpha", "Charlie", "Bravo", "Delta"]
    assert _names(get("sort=-cf_seats")) == ["Bravo", "Charlie", "Alpha", "Delta"]
    bad = get("cf_region=mars&cf_seats__gte=lots")
    assert bad.status_code == 400
    assert set(bad.json()["custom_fields"]) == {"region", "seats"}


@pytest.mark.django_db
def test_list_page_offers_custom_filters_columns_and_sorts(
    acme, deals, django_assert_max_num_queries
):
    client = client_on(acme.host, acme.member)
    with django_assert_max_num_queries(16):
        page = client.get("/pipeline/?cf_region=emea&cf_seats__gte=100&sort=-cf_seats")
    text = page.content.decode()
    assert "Bravo" in text and "Alpha" not in text and "Charlie" not in text
    assert '<th scope="col">Region</th>' in text and "Europe, Middle East &amp; Africa" in text
    assert 'value="-cf_seats" selected' in text
    assert 'name="cf_seats__gte" value="100"' in text
    bad = client.get("/pipeline/?cf_kickoff__gte=someday")
    assert bad.status_code == 200
    assert "These filters were not applied" in bad.content.decode()
    # more records do not mean more queries
    for i in range(10):
        opportunity_make(
            acme, customer_name=f"Extra {i}", custom={"region": "apac", "champion": acme.member.pk}
        )
    with django_assert_max_num_queries(16):
        client.get("/pipeline/?sort=cf_region")


@pytest.mark.django_db
def test_saved_views_keep_filters_sort_and_columns_for_their_owner_or_the_company(acme, deals):
    from django_tenants.utils import schema_context

    from business.models import SavedView

    mine = client_on(acme.host, acme.member)
    colleague = client_on(acme.host, acme.admin)
    response = mine.post(
        "/views/new/",
        {
            "object_type": "opportunity",
            "name": "Big EMEA",
            "query": "cf_region=emea&cf_seats__gte=100&sort=-cf_seats&cols=seats&page=3&evil=1",
        },
    )
    assert response.status_code == 302
    with schema_context(acme.company.schema_name):
        view = SavedView.objects.get(name="Big EMEA")
    assert view.query == "cf_region=emea&cf_seats__gte=100&sort=-cf_seats&cols=seats"
    assert response["Location"] == f"/pipeline/?{view.query}&view={view.pk}"
    page = mine.get(response["Location"]).content.decode()
    assert "Bravo" in page and "Alpha" not in page
    assert '<th scope="col">Seats</th>' in page and '<th scope="col">Region</th>' not in page
    assert "Big EMEA" in page
    # private to its owner until shared
    assert "Big EMEA" not in colleague.get("/pipeline/").content.decode()
    mine.post(
        "/views/new/",
        {
            "object_type": "opportunity",
            "name": "Team view",
            "query": "cf_region=amer",
            "shared": "on",
        },
    )
    assert "Team view" in colleague.get("/pipeline/").content.decode()
    # only the owner deletes, others get 404 and nothing changes
    assert colleague.post(f"/views/{view.pk}/delete/").status_code == 404
    assert mine.post(f"/views/{view.pk}/delete/").status_code == 302
    with schema_context(acme.company.schema_name):
        assert not SavedView.objects.filter(pk=view.pk).exists()
    nameless = mine.post("/views/new/", {"object_type": "opportunity", "name": " ", "query": "q=x"})
    assert nameless.status_code == 302 and nameless["Location"] == "/pipeline/?q=x"


def _indexes(world) -> set[str]:  # type: ignore[no-untyped-def]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexname LIKE 'cf_%%'",
            [world.company.schema_name],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_indexed_fields_get_sort_indexes_that_the_sorted_list_uses(
    acme, globex, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django_tenants.utils import schema_context

    from business.query import custom_sort_key
    from business.services import field_retire
    from pipeline.models import Opportunity

    # the indexes are built once the definition's transaction has committed
    with django_capture_on_commit_callbacks() as callbacks:
        field = field_make(acme, key="seats", field_type="number", indexed=True)
    assert _indexes(acme) == set()
    for callback in callbacks:
        callback()
    assert _indexes(acme) == {"cf_opp_seats_asc", "cf_opp_seats_desc"}
    assert _indexes(globex) == set()
    with schema_context(acme.company.schema_name), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny table: ask for the index path
        sorted_page = Opportunity.objects.order_by(custom_sort_key([field], "-cf_seats"), "pk")
        sql, params = sorted_page[:50].query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "cf_opp_seats_desc" in plan
    with (
        schema_context(acme.company.schema_name),
        django_capture_on_commit_callbacks(execute=True),
    ):
        field_retire(actor=acme.owner, definition=field)
    assert _indexes(acme) == set()


@pytest.mark.django_db
def test_list_pages_without_counting_everything(acme):
    for i in range(53):
        opportunity_make(acme, customer_name=f"Bulk {i:02d}")
    client = client_on(acme.host, acme.member)
    first = client.get("/pipeline/?q=Bulk&sort=customer_name").content.decode()
    assert (
        "1–50 · more on the next pages" in first and "Bulk 49" in first and "Bulk 50" not in first
    )
    second = client.get("/pipeline/?q=Bulk&sort=customer_name&page=2").content.decode()
    assert "Bulk 50" in second and "Bulk 52" in second and "51–53" in second
    small = client.get("/pipeline/?q=Bulk 0").content.decode()
    assert "10 opportunities" in small


@pytest.mark.django_db
def test_solution_and_plan_lists_filter_and_show_custom_fields(acme):
    from tests.sharing.helpers import solution_make

    field_make(
        acme, key="segment", field_type="choice", vocabulary="industries", object_type="solution"
    )
    solution_make(acme, name="Retail AI", custom={"segment": "retail"})
    solution_make(acme, name="Bank AI", custom={"segment": "financial_services"})
    client = client_on(acme.host, acme.member)
    page = client.get("/solutions/?cf_segment=retail").content.decode()
    assert "Retail AI" in page and "Bank AI" not in page
    assert 'data-testid="custom-filters"' in page and ">Retail</dd>" in page.replace("\n", "")
    from tests.sharing.helpers import plan_make

    field_make(acme, key="channel", field_type="text", object_type="marketing_plan")
    plan_make(acme)
    plans = client.get("/marketing/?sort=-cf_channel").content.decode()
    assert '<th scope="col">Channel</th>' in plans


@pytest.mark.django_db
def test_absurd_page_numbers_answer_an_empty_page_not_an_error(acme, globex):
    opportunity_make(acme, customer_name="Only one")
    for path in ("/pipeline/?page=99999999999999999999999", "/pipeline/?page=-3"):
        assert client_on(acme.host, acme.member).get(path).status_code == 200
    assert (
        client_on(globex.host, globex.member).get("/shared/?page=99999999999999999999").status_code
        == 200
    )

"""Derived fields: formulas checked where the admin types them, computed on every save (pages,
API, a partner's edit), recomputed for every record when the formula changes."""

import pytest
from django_tenants.utils import schema_context

from business.models import FieldDefinition
from pipeline.models import Opportunity
from tests.api.test_api import api
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import (
    membership,
    opportunity_make,
    partners_make,
    shared_opportunity_make,
)

WEIGHTED = 'amount * CASE(stage, "qualify", 0.2, "propose", 0.5, "won", 1, 0)'


def _custom(world, pk):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return Opportunity.objects.get(pk=pk).custom


@pytest.mark.django_db
def test_bad_formulas_are_refused_where_the_admin_types_them(acme):
    field_make(acme, key="seats", field_type="number")
    field_make(acme, key="a", field_type="number", formula="seats * 2")
    admin = client_on(acme.host, acme.admin)
    before = {}
    with schema_context(acme.company.schema_name):
        before = FieldDefinition.objects.count()
    for formula, message in [
        ("amount *", "The formula ends too early"),
        ("amount * sets", "There is no field called “sets”. (at character 10)"),
        ("IF(amount > 1)", "IF takes 2 to 3 arguments."),
        ("amount $ 2", "Unexpected “$”. (at character 8)"),
        ("SQRT(amount)", "There is no function called SQRT."),
        ("b * 2", "These fields compute each other in a circle: b → b."),
    ]:
        response = admin.post(
            "/settings/fields/new/",
            {
                "object_type": "opportunity",
                "label": "B",
                "key": "b",
                "field_type": "number",
                "position": 0,
                "formula": formula,
            },
        )
        assert response.status_code == 200, formula
        assert message in response.content.decode().replace("&#x27;", "'"), formula
    # a formula on a type it can't produce
    response = admin.post(
        "/settings/fields/new/",
        {
            "object_type": "opportunity",
            "label": "B",
            "key": "b",
            "field_type": "choice",
            "vocabulary": 1,
            "position": 0,
            "formula": "1",
        },
    )
    assert "A formula&#x27;s result can be a number" in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert FieldDefinition.objects.count() == before
    # a loop through two fields, made by editing the first
    b = field_make(acme, key="b", field_type="number", formula="a + 1")
    with schema_context(acme.company.schema_name):
        a = FieldDefinition.objects.get(key="a")
    response = admin.post(
        f"/settings/fields/{a.pk}/",
        {
            "label": "A",
            "field_type": "number",
            "position": 0,
            "formula": "b * 2",
            "version": a.version,
        },
    )
    assert "These fields compute each other in a circle: a → b → a." in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert FieldDefinition.objects.get(pk=a.pk).formula == "seats * 2"
        assert FieldDefinition.objects.get(pk=b.pk).formula == "a + 1"


@pytest.mark.django_db
def test_derived_values_follow_every_save_and_chain(acme):
    field_make(acme, key="weighted", field_type="money", formula=WEIGHTED)
    field_make(acme, key="tier", field_type="text", formula='IF(weighted >= 50000, "big", "small")')
    field_make(acme, key="follow_up", field_type="date", formula="close_date - 14")
    deal = opportunity_make(acme, amount=200000, stage="qualify")
    assert _custom(acme, deal.pk) == {
        "weighted": {"amount": 40000, "currency": "USD"},
        "tier": "small",
        "follow_up": "2027-03-17",
    }
    client = api(acme)
    patched = client.patch(
        f"/api/v1/opportunities/{deal.pk}/",
        {"stage": "propose", "version": deal.version},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["custom_fields"]["weighted"] == {"amount": 100000, "currency": "USD"}
    assert patched.json()["custom_fields"]["tier"] == "big"
    # computed fields can't be set by hand (sending back what was read is fine)
    refused = client.patch(
        f"/api/v1/opportunities/{deal.pk}/",
        {"custom_fields": {"tier": "huge"}, "version": patched.json()["version"]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["custom_fields"] == {
        "tier": ["Tier is computed from a formula; it can't be set."]
    }
    echoed = client.patch(
        f"/api/v1/opportunities/{deal.pk}/",
        {"custom_fields": patched.json()["custom_fields"], "version": patched.json()["version"]},
        content_type="application/json",
    )
    assert echoed.status_code == 200, echoed.content
    # the form has no input for them
    form = client_on(acme.host, acme.member).get(f"/pipeline/{deal.pk}/edit/").content.decode()
    assert 'name="cf_weighted"' not in form


@pytest.mark.django_db
def test_a_partners_stage_change_recomputes_the_owners_derived_fields(acme, globex):
    from sharing.records.services.sharing import sharing_entry_set

    field_make(acme, key="weighted", field_type="number", formula=WEIGHTED)
    partners_make(acme, globex)
    deal, record = shared_opportunity_make(acme, amount=1000, stage="qualify")
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    record.refresh_from_db()
    response = client_on(globex.host, globex.member).post(
        f"/shared/{record.pk}/collaborate/", {"stage": "won", "version": record.version}
    )
    assert response.status_code == 302
    assert _custom(acme, deal.pk)["weighted"] == 1000


@pytest.mark.django_db
def test_changing_a_formula_recomputes_every_record(acme, django_capture_on_commit_callbacks):
    deals = [opportunity_make(acme, amount=100 * (i + 1), stage="won") for i in range(3)]
    field_make(acme, key="champion", field_type="user")  # the task then loads the members too
    with django_capture_on_commit_callbacks(execute=True):
        field = field_make(acme, key="weighted", field_type="number", formula="amount")
    assert [_custom(acme, d.pk)["weighted"] for d in deals] == [100, 200, 300]
    admin = client_on(acme.host, acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/settings/fields/{field.pk}/",
            {
                "label": "Weighted",
                "field_type": "number",
                "position": 0,
                "formula": "amount / 2",
                "version": field.version,
            },
        )
    assert response.status_code == 302
    assert [_custom(acme, d.pk)["weighted"] for d in deals] == [50, 100, 150]


@pytest.mark.django_db
def test_a_field_a_formula_reads_cannot_be_retired(acme):
    seats = field_make(acme, key="seats", field_type="number")
    field_make(acme, key="per_seat", field_type="number", formula="amount / seats")
    admin = client_on(acme.host, acme.admin)
    response = admin.post(f"/settings/fields/{seats.pk}/retire/", follow=True)
    assert "Seats is used by the formula of Per seat." in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert FieldDefinition.objects.get(pk=seats.pk).retired_at is None


@pytest.mark.django_db
def test_making_a_typed_field_derived_asks_first_and_keeps_the_typed_values(
    acme, django_capture_on_commit_callbacks
):
    from audit.company.models import AuditEntry

    field = field_make(acme, key="forecast", field_type="number")
    deals = [opportunity_make(acme, amount=1000, custom={"forecast": 7 + i}) for i in range(2)]
    admin = client_on(acme.host, acme.admin)
    form = {
        "label": "Forecast",
        "field_type": "number",
        "position": 0,
        "formula": "amount / 10",
        "version": field.version,
    }
    asked = admin.post(f"/settings/fields/{field.pk}/", form)
    page = asked.content.decode()
    assert asked.status_code == 200 and "2 records hold a typed-in value" in page
    assert "Make it computed anyway" in page
    assert [_custom(acme, d.pk)["forecast"] for d in deals] == [7, 8]
    with schema_context(acme.company.schema_name):
        assert FieldDefinition.objects.get(pk=field.pk).formula == ""
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(f"/settings/fields/{field.pk}/", {**form, "confirm_type_change": "1"})
    assert done.status_code == 302
    assert [_custom(acme, d.pk)["forecast"] for d in deals] == [100, 100]
    with schema_context(acme.company.schema_name):
        entry = AuditEntry.objects.filter(action="business.field_updated").latest("pk")
    assert entry.before["typed_values_replaced"] == 2
    assert sorted(entry.before["typed_values"].values()) == [7, 8]

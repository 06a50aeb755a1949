"""Admins shape the business schema in the browser; record pages follow it."""

import pytest
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from business.models import FieldDefinition, Term
from pipeline.models import Opportunity
from sharing.models import SharedRecord
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import opportunity_make, partners_make, shared_opportunity_make

NEW_DEAL = {
    "name": "Initech — platform",
    "customer_name": "Initech",
    "amount": "5000",
    "currency": "usd",
    "close_date": "2027-02-01",
    "stage": "qualify",
    "motion": "sell_with",
}


def _in(world, fn):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return fn()


@pytest.mark.django_db
def test_admin_adds_a_choice_field_and_it_is_audited(acme):
    admin = client_on(acme.host, acme.admin)
    vocabulary_id = _in(acme, lambda: Term.objects.get(key="emea").vocabulary_id)
    response = admin.post(
        "/settings/fields/new/",
        {
            "object_type": "opportunity",
            "label": "Region",
            "key": "region",
            "field_type": "choice",
            "vocabulary": vocabulary_id,
            "position": 1,
            "shareable": "on",
        },
    )
    assert response.status_code == 302
    field = _in(acme, lambda: FieldDefinition.objects.get(key="region"))
    assert (field.field_type, field.shareable) == ("choice", True)
    assert (
        _in(acme, lambda: AuditEntry.objects.filter(action="business.field_created").count()) == 1
    )
    page = admin.get("/settings/fields/?type=opportunity")
    assert b"Region" in page.content and b"regions" not in page.content.lower().split(b"<code>")[0]


@pytest.mark.django_db
def test_bad_field_definitions_are_refused_with_field_messages(acme):
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    admin = client_on(acme.host, acme.admin)
    before = _in(acme, FieldDefinition.objects.count)
    for data, message in [
        ({"key": "region", "field_type": "text"}, "already is a field with this key"),
        ({"key": "tier", "field_type": "choice"}, "Choose the vocabulary"),
        ({"key": "Bad Key!", "field_type": "text"}, "lowercase letters"),
        ({"key": "seats", "field_type": "number", "default": "many"}, "Enter a number."),
        ({"key": "link", "field_type": "reference"}, "what kind of record it links to"),
    ]:
        response = admin.post(
            "/settings/fields/new/",
            {"object_type": "opportunity", "label": "X", "position": 0, **data},
        )
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    assert _in(acme, FieldDefinition.objects.count) == before


@pytest.mark.django_db
def test_members_who_are_not_admins_cannot_change_the_schema(acme):
    field = field_make(acme, key="seats", field_type="number")
    member = client_on(acme.host, acme.member)
    assert member.get("/settings/fields/").status_code == 403
    assert member.post(f"/settings/fields/{field.pk}/retire/").status_code == 403
    assert _in(acme, lambda: FieldDefinition.objects.get(pk=field.pk).retired_at) is None


@pytest.mark.django_db
def test_opportunity_form_takes_custom_values_and_refuses_bad_ones_without_saving(acme):
    field_make(acme, key="region", field_type="choice", vocabulary="regions", required=True)
    field_make(acme, key="seats", field_type="number")
    member = client_on(acme.host, acme.member)
    form = member.get("/pipeline/new/").content.decode()
    assert 'name="cf_region"' in form and "Europe, Middle East &amp; Africa" in form
    count = _in(acme, Opportunity.objects.count)
    bad = member.post("/pipeline/new/", {**NEW_DEAL, "cf_region": "mars", "cf_seats": "lots"})
    assert bad.status_code == 200 and _in(acme, Opportunity.objects.count) == count
    text = bad.content.decode()
    assert "Select a valid choice" in text and "Enter a number." in text
    assert 'value="Initech"' in text  # what the user typed is still there
    good = member.post("/pipeline/new/", {**NEW_DEAL, "cf_region": "emea", "cf_seats": "12"})
    assert good.status_code == 302
    deal = _in(acme, lambda: Opportunity.objects.get(customer_name="Initech"))
    assert deal.custom == {"region": "emea", "seats": 12}
    detail = member.get(f"/pipeline/{deal.pk}/").content.decode()
    assert "Europe, Middle East &amp; Africa" in detail


@pytest.mark.django_db
def test_retiring_a_field_keeps_its_values_and_restoring_brings_it_back(acme):
    field = field_make(acme, key="seats", field_type="number")
    deal = opportunity_make(acme, custom={"seats": 7})
    admin = client_on(acme.host, acme.admin)
    admin.post(f"/settings/fields/{field.pk}/retire/")
    edit = admin.get(f"/pipeline/{deal.pk}/edit/").content.decode()
    assert 'name="cf_seats"' not in edit
    admin.post(f"/pipeline/{deal.pk}/edit/", {**NEW_DEAL, "version": deal.version})
    assert _in(acme, lambda: Opportunity.objects.get(pk=deal.pk).custom) == {"seats": 7}
    admin.post(f"/settings/fields/{field.pk}/retire/", {"restore": "1"})
    assert 'name="cf_seats"' in admin.get(f"/pipeline/{deal.pk}/edit/").content.decode()


@pytest.mark.django_db
def test_a_type_change_asks_first_and_keeps_unconvertible_values_in_the_audit_log(acme):
    field = field_make(acme, key="seats", field_type="text")
    convertible = opportunity_make(acme, custom={"seats": "12"})
    stuck = opportunity_make(acme, custom={"seats": "a dozen"})
    admin = client_on(acme.host, acme.admin)
    form = {"label": "Seats", "field_type": "number", "position": 0, "version": field.version}
    asked = admin.post(f"/settings/fields/{field.pk}/", form)
    assert asked.status_code == 200
    assert "1 of 2 existing values can&#x27;t be converted" in asked.content.decode()
    assert _in(acme, lambda: FieldDefinition.objects.get(pk=field.pk).field_type) == "text"
    done = admin.post(f"/settings/fields/{field.pk}/", {**form, "confirm_type_change": "1"})
    assert done.status_code == 302
    assert _in(acme, lambda: Opportunity.objects.get(pk=convertible.pk).custom) == {"seats": 12}
    assert _in(acme, lambda: Opportunity.objects.get(pk=stuck.pk).custom) == {}
    entry = _in(acme, lambda: AuditEntry.objects.get(action="business.field_updated"))
    assert entry.before["unconverted_values"] == {str(stuck.pk): "a dozen"}
    assert entry.before["field_type"] == "text" and entry.after["field_type"] == "number"


@pytest.mark.django_db
def test_terms_nest_in_trees_without_cycles_and_retire_instead_of_deleting(acme):
    admin = client_on(acme.host, acme.admin)
    emea = _in(acme, lambda: Term.objects.get(vocabulary__key="regions", key="emea"))
    admin.post(
        "/settings/vocabularies/regions/", {"label": "DACH", "key": "dach", "parent": emea.pk}
    )
    dach = _in(acme, lambda: Term.objects.get(key="dach"))
    assert dach.parent_id == emea.pk
    page = admin.get("/settings/vocabularies/regions/").content.decode()
    terms = page[page.index('data-testid="terms"') :]
    assert terms.index("Europe, Middle East") < terms.index("DACH")
    # EMEA under DACH would be a cycle
    response = admin.post(
        f"/settings/vocabularies/regions/terms/{emea.pk}/", {"label": "EMEA", "parent": dach.pk}
    )
    assert response.status_code == 302
    assert _in(acme, lambda: Term.objects.get(pk=emea.pk).parent_id) is None
    admin.post(f"/settings/vocabularies/regions/terms/{dach.pk}/retire/")
    assert _in(acme, lambda: Term.objects.get(pk=dach.pk).retired_at) is not None
    # a list vocabulary refuses parents
    retail = _in(acme, lambda: Term.objects.get(vocabulary__key="industries", key="retail"))
    admin.post(
        f"/settings/vocabularies/industries/terms/{retail.pk}/",
        {"label": "Retail", "parent": retail.pk},
    )
    assert _in(acme, lambda: Term.objects.get(pk=retail.pk).parent_id) is None


@pytest.mark.django_db
def test_only_shareable_custom_fields_reach_the_network_with_the_owners_labels(acme, globex):
    field_make(acme, key="region", field_type="choice", vocabulary="regions", shareable=True)
    field_make(acme, key="margin_secret", label="Margin", field_type="text")
    partners_make(acme, globex)
    marker = "MARGIN-do-not-leak-19c2"
    _, record = shared_opportunity_make(acme, custom={"region": "emea", "margin_secret": marker})
    record.refresh_from_db()
    assert record.payload["custom"] == [
        {
            "key": "region",
            "label": "Region",
            "type": "choice",
            "value": "emea",
            "display": "Europe, Middle East & Africa",
        }
    ]
    assert not SharedRecord.objects.filter(payload__icontains=marker).exists()
    assert marker not in str(SharedRecord.objects.filter(pk=record.pk).values().get())

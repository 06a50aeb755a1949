"""Custom values are checked against the company's definitions, with messages people read."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from business.models import Term
from business.selectors import catalog_for
from business.values import custom_values_clean
from tests.business.helpers import field_make


def _clean(world, data, previous=None, partial=False):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        catalog = catalog_for(object_type="opportunity", company=world.company)
        return custom_values_clean(data=data, catalog=catalog, previous=previous, partial=partial)


def _errors(world, data, previous=None):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        _clean(world, data, previous)
    return caught.value.message_dict


@pytest.mark.django_db
def test_every_type_is_stored_in_its_shape(acme):
    for key, field_type, extra in [
        ("note", "text", {}),
        ("story", "long_text", {}),
        ("seats", "number", {}),
        ("deal_value", "money", {}),
        ("probability", "percent", {}),
        ("kickoff", "date", {}),
        ("region", "choice", {"vocabulary": "regions"}),
        ("industries", "multi_choice", {"vocabulary": "industries"}),
        ("champion", "user", {}),
        ("site", "url", {}),
        ("contact", "email", {}),
        ("related", "reference", {"reference_type": "solution"}),
    ]:
        field_make(acme, key=key, field_type=field_type, **extra)
    clean = _clean(
        acme,
        {
            "note": "  hello ",
            "story": "long",
            "seats": "1,200",
            "deal_value": {"amount": "99.5", "currency": "eur"},
            "probability": 25,
            "kickoff": "2027-01-15",
            "region": "emea",
            "industries": ["retail", "healthcare", "retail"],
            "champion": acme.member.pk,
            "site": "https://example.com/x",
            "contact": "a@example.com",
            "related": "6f1c1f3e-9a8e-4c1e-9d55-0d9c1d0d8a11",
        },
    )
    assert clean == {
        "note": "hello",
        "story": "long",
        "seats": 1200,
        "deal_value": {"amount": 99.5, "currency": "EUR"},
        "probability": 25,
        "kickoff": "2027-01-15",
        "region": "emea",
        "industries": ["retail", "healthcare"],
        "champion": acme.member.pk,
        "site": "https://example.com/x",
        "contact": "a@example.com",
        "related": "6f1c1f3e-9a8e-4c1e-9d55-0d9c1d0d8a11",
    }


@pytest.mark.django_db
def test_bad_values_get_one_clear_message_per_field(acme, globex):
    field_make(acme, key="seats", field_type="number", required=True)
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    field_make(acme, key="kickoff", field_type="date")
    field_make(acme, key="champion", field_type="user")
    field_make(acme, key="site", field_type="url")
    errors = _errors(
        acme,
        {
            "seats": "",
            "region": "mars",
            "kickoff": "next tuesday",
            "champion": globex.member.pk,  # not in this company
            "site": "javascript:alert(1)",
            "nonsense": 1,
        },
    )
    assert errors == {
        "seats": ["Seats is required."],
        "region": ["“mars” is not one of the choices for Region."],
        "kickoff": ["Enter a date as YYYY-MM-DD."],
        "champion": ["Choose a person in your company."],
        "site": ["Enter a valid URL."],
        "nonsense": ["There is no such field."],
    }


@pytest.mark.django_db
def test_a_retired_term_stays_on_records_that_have_it_but_is_refused_for_new_values(acme):
    field_make(acme, key="region", field_type="choice", vocabulary="regions")
    with schema_context(acme.company.schema_name):
        Term.objects.filter(vocabulary__key="regions", key="apac").update(
            retired_at="2026-01-01T00:00Z"
        )
    assert _clean(acme, {"region": "apac"}, previous={"region": "apac"}) == {"region": "apac"}
    assert "retired" in _errors(acme, {"region": "apac"}, previous={"region": "emea"})["region"][0]


@pytest.mark.django_db
def test_defaults_fill_new_records_and_partial_updates_leave_other_values(acme):
    field_make(acme, key="region", field_type="choice", vocabulary="regions", default="amer")
    field_make(acme, key="seats", field_type="number")
    assert _clean(acme, {}) == {"region": "amer"}
    assert _clean(acme, {"seats": 3}, previous={"region": "emea"}, partial=True) == {
        "region": "emea",
        "seats": 3,
    }

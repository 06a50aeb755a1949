"""Columns that name a kind of record are text checked against the kinds registry: they still
read as the kind's label, refuse unknown kinds, and the partner-field mappings keep offering
only opportunity fields."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from business.models import FieldDefinition
from sharing.records.services.sharing import sharing_entry_set
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import membership, shared_opportunity_make


@pytest.mark.django_db
def test_a_kind_column_reads_as_the_kinds_label_and_refuses_unknown_kinds(acme, globex):
    field = field_make(acme, key="seats", field_type="number")
    assert str(field) == "Opportunity: Seats"
    with schema_context(acme.company.schema_name):
        stray = FieldDefinition(object_type="spaceship", key="x", label="X", field_type="text")
        with pytest.raises(ValidationError) as raised:
            stray.full_clean()
    assert "object_type" in raised.value.message_dict
    with schema_context(globex.company.schema_name):
        assert not FieldDefinition.objects.filter(key="seats").exists()


@pytest.mark.django_db
def test_the_rules_page_names_each_rules_kind(acme, globex):
    admin = client_on(acme.host, acme.admin)
    admin.post(
        "/settings/rules/",
        {
            "action": "rule",
            "rule-object_type": "solution",
            "rule-name": "Named",
            "rule-condition": 'name = "x"',
            "rule-message": "Name it properly.",
        },
    )
    page = admin.get("/settings/rules/").content.decode()
    assert "· Solution" in page
    assert (
        "Name it properly."
        not in client_on(globex.host, globex.admin).get("/settings/rules/").content.decode()
    )


@pytest.mark.django_db
def test_partner_fields_map_onto_opportunity_fields_only(partnered):
    acme, globex = partnered
    field_make(globex, key="region_code", field_type="text", shareable=True)
    _, record = shared_opportunity_make(globex, custom={"region_code": "EMEA-N"})
    sharing_entry_set(
        actor=globex.owner,
        actor_membership=membership(globex),
        record=record,
        partner=acme.company,
        role="viewer",
    )
    field_make(acme, key="territory", field_type="text")
    field_make(acme, key="category_note", field_type="text", object_type="solution")
    page = client_on(acme.host, acme.admin).get("/settings/mappings/").content.decode()
    assert "Region code" in page  # Globex's shared field, offered for mapping
    assert "Territory" in page and "Category note" not in page

"""CRM mappings in the company's configuration document: exported (never credentials),
imported onto the connection of that name with the mapping page's own checks."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from business.configuration.apply import configuration_import
from business.configuration.export import configuration_export
from integrations.models import FieldMapping
from tests.integrations.helpers import connection_plant


@pytest.mark.django_db
def test_mappings_export_and_import_without_credentials(acme, globex):
    planted = connection_plant(acme, name="Exported CRM")
    with schema_context(acme.company.schema_name):
        document = configuration_export()
    items = document["crm_mappings"]
    assert items == [
        {
            "connection": "Exported CRM",
            "connector": "tryton",
            "remote_object": "party.party",
            "kind": "account",
            "create_remote": False,
            "on_remote_delete": "archive",
            "fields": [
                {
                    "remote_field": "name",
                    "local_field": "name",
                    "system_of_record": "both",
                    "value_map": {},
                    "transform": {},
                }
            ],
        }
    ]
    assert "planted-secret" not in json.dumps(document) and "127.0.0.1:9" not in json.dumps(
        document
    )

    items[0]["fields"][0]["system_of_record"] = "crm"
    with schema_context(acme.company.schema_name):
        configuration_import(actor=acme.owner, document=document)
        assert FieldMapping.objects.get(object_mapping=planted["mapping"]).system_of_record == "crm"

        # a wrong field: the problem in a line, nothing changed
        items[0]["fields"][0] = {
            **items[0]["fields"][0],
            "local_field": "amount",
            "system_of_record": "network",
        }
        with pytest.raises(ValidationError) as refused:
            configuration_import(actor=acme.owner, document=document)
        assert any(
            "crm_mappings[0]" in line and "not a field of ours" in line
            for line in refused.value.messages
        )
        assert FieldMapping.objects.get(object_mapping=planted["mapping"]).system_of_record == "crm"

    # another company has no connection of that name: told so, nothing made
    items[0]["fields"][0] = {**items[0]["fields"][0], "local_field": "name"}
    with schema_context(globex.company.schema_name):
        with pytest.raises(ValidationError) as elsewhere:
            configuration_import(actor=globex.owner, document=document)
        assert any(
            "no tryton connection named “Exported CRM”" in line for line in elsewhere.value.messages
        )
        assert not FieldMapping.objects.exists()

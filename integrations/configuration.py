"""CRM mappings as a section of the company's business configuration document (export /
import JSON). Connections themselves are not in it — their credentials never leave the
vault — so an import maps onto connections that exist here, matched by name and CRM."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from business.configuration.sections import ConfigurationSection, Problems, validation_lines
from integrations.models import Connection, ConnectionState, DeletionPolicy, ObjectMapping
from integrations.services import field_rows_clean, mapping_document, object_mapping_apply


class FieldMappingIn(serializers.Serializer):
    remote_field = serializers.CharField(max_length=100)
    local_field = serializers.CharField(max_length=60)
    system_of_record = serializers.CharField(max_length=8, required=False, default="both")
    value_map = serializers.DictField(
        child=serializers.CharField(max_length=100), required=False, default=dict
    )
    transform = serializers.DictField(required=False, default=dict)


class CrmMappingIn(serializers.Serializer):
    connection = serializers.CharField(max_length=100)
    connector = serializers.CharField(max_length=20)
    remote_object = serializers.CharField(max_length=100)
    kind = serializers.CharField(max_length=20)
    create_remote = serializers.BooleanField(required=False, default=False)
    on_remote_delete = serializers.ChoiceField(
        choices=DeletionPolicy.values, required=False, default="archive"
    )
    fields = FieldMappingIn(many=True, max_length=200)


def _export() -> list[dict[str, Any]]:
    out = []
    for mapping in (
        ObjectMapping.objects.exclude(connection__state=ConnectionState.DISCONNECTED)
        .select_related("connection")
        .prefetch_related("fields")
        .order_by("connection__name", "position", "pk")
    ):
        document = mapping_document(mapping)
        document.pop("enabled")
        out.append(
            {
                "connection": mapping.connection.name,
                "connector": mapping.connection.connector,
                **document,
            }
        )
    return out


def _import_item(spec: dict[str, Any]) -> Problems:
    connection = (
        Connection.objects.exclude(state=ConnectionState.DISCONNECTED)
        .filter(name=spec["connection"], connector=spec["connector"])
        .first()
    )
    if connection is None:
        return [
            f"connection: no {spec['connector']} connection named “{spec['connection']}” here: connect it first."
        ]
    mapping = ObjectMapping.objects.filter(
        connection=connection, remote_object=spec["remote_object"]
    ).first()
    if mapping is None or mapping.kind != spec["kind"]:
        return [
            f"remote_object: {spec['connection']} has no mapping of {spec['remote_object']} onto {spec['kind']}."
        ]
    try:
        rows = field_rows_clean(connection, mapping, spec["fields"])
    except ValidationError as exc:
        return validation_lines(exc)
    object_mapping_apply(
        mapping,
        rows,
        on_remote_delete=spec["on_remote_delete"],
        create_remote=spec["create_remote"],
    )
    return []


SECTION = ConfigurationSection(
    key="crm_mappings", item_shape=CrmMappingIn, export=_export, import_item=_import_item
)

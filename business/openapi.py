"""The OpenAPI document describes each company's own custom fields: the `custom_fields`
object of its records lists the company's fields with their types, choices and which are
computed (read-only), so integrations generate typed clients per company."""

from __future__ import annotations

from typing import Any

from business.models import FieldDefinition, FieldType, Term
from kinds import kinds_all


def _property(definition: FieldDefinition, terms: dict[int, list[str]]) -> dict[str, Any]:
    kind = definition.field_type
    if kind in (FieldType.NUMBER, FieldType.PERCENT):
        schema: dict[str, Any] = {"type": "number"}
    elif kind == FieldType.MONEY:
        schema = {
            "type": "object",
            "properties": {
                "amount": {"type": "number"},
                "currency": {"type": "string", "nullable": True},
            },
        }
    elif kind == FieldType.DATE:
        schema = {"type": "string", "format": "date"}
    elif kind == FieldType.CHOICE:
        schema = {"type": "string", "enum": terms.get(definition.vocabulary_id, [])}
    elif kind == FieldType.MULTI_CHOICE:
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": terms.get(definition.vocabulary_id, [])},
        }
    elif kind == FieldType.USER:
        schema = {"type": "integer", "description": "A member's user id."}
    elif kind == FieldType.URL:
        schema = {"type": "string", "format": "uri"}
    elif kind == FieldType.EMAIL:
        schema = {"type": "string", "format": "email"}
    elif kind == FieldType.REFERENCE:
        schema = {"type": "string", "format": "uuid"}
    else:
        schema = {"type": "string"}
    schema["title"] = definition.label
    if definition.help_text:
        schema["description"] = definition.help_text
    if definition.is_derived:
        schema["readOnly"] = True
        schema["description"] = f"Computed: {definition.formula}"
    schema["nullable"] = True
    return schema


def custom_fields_schema(result, generator, request, public, **kwargs):  # type: ignore[no-untyped-def]
    """drf-spectacular postprocessing hook (runs per request, in the company's schema)."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return result
    definitions = list(FieldDefinition.objects.filter(retired_at__isnull=True))
    terms: dict[int, list[str]] = {}
    for vocabulary_id, key in Term.objects.filter(retired_at__isnull=True).values_list(
        "vocabulary_id", "key"
    ):
        terms.setdefault(vocabulary_id, []).append(key)
    components = {k.api_component: k.key for k in kinds_all() if k.api_component}
    for name, component in result.get("components", {}).get("schemas", {}).items():
        # (the record itself, its PATCH body, and a record of its bulk upsert)
        object_type = components.get(name.removeprefix("Patched").removesuffix("BulkRecord"))
        properties = component.get("properties", {})
        if object_type is None or "custom_fields" not in properties:
            continue
        fields = [d for d in definitions if d.object_type == object_type]
        properties["custom_fields"] = {
            "type": "object",
            "description": properties["custom_fields"].get("description", ""),
            "properties": {d.key: _property(d, terms) for d in fields},
            "additionalProperties": False,
        }
    return result

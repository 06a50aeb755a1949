from __future__ import annotations

from django_tenants.utils import schema_context

from business.models import FieldDefinition, Vocabulary
from business.services import field_create
from tests.builders import CompanyWorld


def field_make(world: CompanyWorld, **data) -> FieldDefinition:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        if data.get("vocabulary") and isinstance(data["vocabulary"], str):
            data["vocabulary"] = Vocabulary.objects.get(key=data["vocabulary"])
        data.setdefault("object_type", "opportunity")
        data.setdefault("label", data["key"].replace("_", " ").capitalize())
        return field_create(actor=world.owner, company=world.company, data=data)

"""The business schema's view of the record kinds (kinds registry): which model holds the
custom values of each object type, and which built-in fields formulas may read."""

from __future__ import annotations

from django.db import models

from kinds import kind_get, kind_of_model, record_type_choices


def core_fields_of(object_type: str) -> tuple[str, ...]:
    spec = kind_get(object_type)
    return spec.formula_fields if spec is not None else ()


def model_for(object_type: str) -> type[models.Model] | None:
    spec = kind_get(object_type)
    return spec.model if spec is not None else None


def object_type_choices() -> list[tuple[str, str]]:
    """The record types that can carry custom fields, in registration order."""
    return record_type_choices()


def object_type_of(record: models.Model) -> str:
    spec = kind_of_model(type(record))
    return spec.key if spec is not None else ""

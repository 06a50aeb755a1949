"""Which model holds the custom values of each object type. Apps register themselves, so the
business schema does not import the pipeline, solutions or marketing apps."""

from __future__ import annotations

from django.db import models

_MODELS: dict[str, type[models.Model]] = {}
_CORE_FIELDS: dict[str, tuple[str, ...]] = {}


def register(
    object_type: str, model: type[models.Model], core_fields: tuple[str, ...] = ()
) -> None:
    """`core_fields`: the built-in fields formulas may read (custom fields are read by key)."""
    _MODELS[object_type] = model
    _CORE_FIELDS[object_type] = core_fields


def core_fields_of(object_type: str) -> tuple[str, ...]:
    return _CORE_FIELDS.get(object_type, ())


def model_for(object_type: str) -> type[models.Model] | None:
    return _MODELS.get(object_type)


def object_type_choices() -> list[tuple[str, str]]:
    """The record types that can carry custom fields today, in the ObjectType order."""
    from business.models import ObjectType

    return [(value, label) for value, label in ObjectType.choices if value in _MODELS]


def object_type_of(record: models.Model) -> str:
    return next((t for t, model in _MODELS.items() if isinstance(record, model)), "")

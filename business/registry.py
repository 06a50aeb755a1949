"""Which model holds the custom values of each object type. Apps register themselves, so the
business schema does not import the pipeline, solutions or marketing apps."""

from __future__ import annotations

from django.db import models

_MODELS: dict[str, type[models.Model]] = {}


def register(object_type: str, model: type[models.Model]) -> None:
    _MODELS[object_type] = model


def model_for(object_type: str) -> type[models.Model] | None:
    return _MODELS.get(object_type)


def object_type_choices() -> list[tuple[str, str]]:
    """The record types that can carry custom fields today, in the ObjectType order."""
    from business.models import ObjectType

    return [(value, label) for value, label in ObjectType.choices if value in _MODELS]

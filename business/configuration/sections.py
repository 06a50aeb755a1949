"""Sections that rooms above the business schema add to the configuration document.

Approval rules (`approvals`) and metrics (`reports`) are part of a company's configuration but
belong to rooms that build on the business schema. Each registers its section at startup
(its AppConfig.ready) with its shape, its export and its import through its own services, so
the configuration never imports those rooms and a new room adds a section without touching
this package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

Problems = list[str]


@dataclass(frozen=True)
class ConfigurationSection:
    """One list-valued part of the document (e.g. `"metrics": [...]`)."""

    key: str
    # The shape of one item (a DRF serializer class); checked before anything is applied.
    item_shape: type[serializers.Serializer]
    # Every item of the section, as the document writes it (keys, never database ids).
    export: Callable[[], list[dict[str, Any]]]
    # Applies one checked item through the room's own services (the same checks as its
    # settings page); answers the item's problems as "field: message" lines (the caller puts
    # "key[i]." in front), empty when it was applied.
    import_item: Callable[[dict[str, Any]], Problems]


_sections: dict[str, ConfigurationSection] = {}


def configuration_section_register(section: ConfigurationSection) -> None:
    if section.key in _sections and _sections[section.key] != section:
        raise RuntimeError(f"configuration section {section.key!r} registered twice")
    _sections[section.key] = section


def configuration_sections() -> list[ConfigurationSection]:
    """In registration order, which is the document's order."""
    return list(_sections.values())


def validation_lines(exc: Any, prefix: str = "") -> Problems:
    """A Django ValidationError as "field: message" lines, each behind `prefix`."""
    return [f"{prefix}{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]

"""Panels that rooms above a record kind add to its records' pages: the pipeline adds an
account's opportunities, integrations a record's link to the CRM. Each registers at startup,
for one kind, a function answering the panel's template and context for one record, or
None (nothing to show)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class RecordPanel:
    template: str
    context: dict[str, Any]


_panels: dict[str, list[Callable[[HttpRequest, Any], RecordPanel | None]]] = {}


def record_panel_register(
    kind: str, build: Callable[[HttpRequest, Any], RecordPanel | None]
) -> None:
    builders = _panels.setdefault(kind, [])
    if build not in builders:
        builders.append(build)


def record_panels(request: HttpRequest, kind: str, record: Any) -> list[RecordPanel]:
    return [p for p in (build(request, record) for build in _panels.get(kind, [])) if p is not None]

"""What a list page needs to offer custom-field filters, sorts and columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from business.models import CHOICE_TYPES, FieldDefinition, FieldType
from business.query import RANGE_TYPES, TEXT_TYPES, filterable, sortable
from business.values import Catalog

LIST_CUSTOM_COLUMNS = 4


def _get(params: Mapping[str, Any], name: str) -> str:
    return str(params.get(name, "") or "")


def custom_filter_widgets(catalog: Catalog, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per filterable field: its kind of input (select / range / text), the options
    of a select, and the values currently applied (so the form shows what filters the list)."""
    fields = [d for d in catalog.active if filterable(d)]
    people = sorted(((str(pk), name) for pk, name in catalog.people.items()), key=lambda p: p[1])
    terms = {
        vocabulary: [
            (t.key, t.label)
            for t in sorted(by_key.values(), key=lambda t: (t.position, t.label))
            if not t.retired_at
        ]
        for vocabulary, by_key in catalog.terms.items()
    }
    getlist = getattr(params, "getlist", lambda name: [params[name]] if name in params else [])
    widgets = []
    for d in fields:
        name = d.form_name
        if d.field_type in CHOICE_TYPES or d.field_type == FieldType.USER:
            options = people if d.field_type == FieldType.USER else terms.get(d.vocabulary_id, [])
            widgets.append(
                {
                    "label": d.label,
                    "name": name,
                    "kind": "select",
                    "options": options,
                    "selected": getlist(name),
                }
            )
        elif d.field_type in RANGE_TYPES:
            widgets.append(
                {
                    "label": d.label,
                    "name": name,
                    "kind": "range",
                    "input": "date" if d.field_type == FieldType.DATE else "number",
                    "min": _get(params, name + "__gte"),
                    "max": _get(params, name + "__lte"),
                }
            )
        elif d.field_type in TEXT_TYPES:
            widgets.append(
                {"label": d.label, "name": name, "kind": "text", "value": _get(params, name)}
            )
    return widgets


def custom_sort_choices(definitions: list[FieldDefinition]) -> list[tuple[str, str]]:
    choices = []
    for d in definitions:
        if sortable(d):
            choices += [
                (d.form_name, f"{d.label} (low → high)"),
                (f"-{d.form_name}", f"{d.label} (high → low)"),
            ]
    return choices

"""What a list page needs to offer custom-field filters, sorts and columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from business.display import attach_custom_cells
from business.models import CHOICE_TYPES, FieldDefinition, FieldType
from business.query import RANGE_TYPES, TEXT_TYPES, custom_list_query, filterable, sortable
from business.saved_views import saved_views_for
from business.selectors import catalog_for
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


@dataclass
class CustomList:
    """What a record list page gets from the business schema: the queryset narrowed and sorted
    by cf_ parameters, and everything its template shows (filter bar, sorts, columns, saved
    views). One helper for every record type's list."""

    queryset: QuerySet
    catalog: Catalog
    context: dict[str, Any]

    def attach_cells(self, records: list) -> None:  # type: ignore[type-arg]
        attach_custom_cells(records, self.context["custom_columns"], self.catalog)


def custom_list(request, *, object_type: str, queryset: QuerySet) -> CustomList:  # type: ignore[no-untyped-def]
    catalog = catalog_for(object_type=object_type, company=request.tenant, with_names=True)
    queryset, errors = custom_list_query(queryset, catalog=catalog, params=request.GET)
    definitions = catalog.active
    chosen = request.GET.getlist("cols")
    columns = (
        [d for d in definitions if d.key in chosen] if chosen else definitions[:LIST_CUSTOM_COLUMNS]
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("view", None)
    return CustomList(
        queryset=queryset,
        catalog=catalog,
        context={
            "custom_columns": columns,
            "custom_filters": custom_filter_widgets(catalog, request.GET),
            "custom_sorts": custom_sort_choices(definitions),
            "custom_errors": errors,
            "sort": request.GET.get("sort", ""),
            "all_custom": definitions,
            "chosen_columns": {d.key for d in columns},
            "saved_views": list(saved_views_for(user=request.user, object_type=object_type)),
            "current_view": request.GET.get("view", ""),
            "object_type": object_type,
            "query": query.urlencode(),
        },
    )

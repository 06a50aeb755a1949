"""Filtering and sorting a record list by custom fields, from query-string parameters shared
by the list pages and the API:

    cf_<key>=<value>            equals (choice, user, reference); repeat for "any of";
                                for multi-choice: has any of; for text: contains
    cf_<key>__gte / __lte=<v>   at least / at most (number, money, percent, date)
    sort=cf_<key> / -cf_<key>   ascending / descending, records without a value last

Choice filters use JSONB containment (`custom @> {...}`), which the GIN jsonb_path_ops index
answers; ranges and sorts compare JSONB values (numbers as numbers, ISO dates as text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from business.models import FieldDefinition, FieldType
from business.values import Catalog, coerce

RANGE_TYPES = (FieldType.NUMBER, FieldType.MONEY, FieldType.PERCENT, FieldType.DATE)
EQUAL_TYPES = (FieldType.CHOICE, FieldType.USER, FieldType.REFERENCE)
TEXT_TYPES = (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.EMAIL)


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist else ([params[name]] if name in params else [])
    return [v for v in raw if str(v).strip() != ""]


def _path(definition: FieldDefinition) -> KeyTransform:
    if definition.field_type == FieldType.MONEY:
        return KeyTransform("amount", KeyTransform(definition.key, "custom"))
    return KeyTransform(definition.key, "custom")


def _typed(definition: FieldDefinition, value: str, catalog: Catalog) -> Any:
    """The filter value in the stored shape (so the comparison is like with like)."""
    stored = coerce(definition, value, catalog)
    if definition.field_type == FieldType.MONEY:
        return stored["amount"]
    return stored


def custom_filter(
    queryset: QuerySet,
    *,
    definitions: list[FieldDefinition],
    params: Mapping[str, Any],
    catalog: Catalog,
) -> QuerySet:
    """Applies every cf_ filter in `params`; ValidationError names the parameter on bad input."""
    errors: dict[str, list[str]] = {}
    for definition in definitions:
        name = definition.form_name
        try:
            values = _values(params, name)
            if values and definition.field_type in EQUAL_TYPES:
                wanted = [_typed(definition, v, catalog) for v in values]
                q = Q()
                for value in wanted:
                    q |= Q(custom__contains={definition.key: value})
                queryset = queryset.filter(q)
            elif values and definition.field_type == FieldType.MULTI_CHOICE:
                q = Q()
                for value in values:
                    q |= Q(
                        custom__contains={definition.key: [_typed(definition, value, catalog)[0]]}
                    )
                queryset = queryset.filter(q)
            elif values and definition.field_type in TEXT_TYPES:
                queryset = queryset.annotate(
                    **{f"_cf_{definition.key}": KeyTextTransform(definition.key, "custom")}
                ).filter(**{f"_cf_{definition.key}__icontains": values[0]})
            if definition.field_type in RANGE_TYPES:
                for suffix, lookup in (("__gte", "gte"), ("__lte", "lte")):
                    bound = _values(params, name + suffix)
                    if bound:
                        value = _typed(definition, bound[0], catalog)
                        queryset = queryset.alias(
                            **{f"_cf_{definition.key}": _path(definition)}
                        ).filter(**{f"_cf_{definition.key}__{lookup}": value})
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return queryset


def custom_sort_key(definitions: list[FieldDefinition], sort: str):  # type: ignore[no-untyped-def]
    """An order_by expression for sort=cf_<key> / -cf_<key>, or None if `sort` isn't one."""
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    definition = next((d for d in definitions if d.form_name == name), None)
    if definition is None:
        return None
    expression = _path(definition)
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def sortable(definition: FieldDefinition) -> bool:
    return definition.field_type not in (FieldType.LONG_TEXT, FieldType.MULTI_CHOICE)


def filterable(definition: FieldDefinition) -> bool:
    return definition.field_type != FieldType.LONG_TEXT


def custom_list_query(
    queryset: QuerySet, *, catalog: Catalog, params: Mapping[str, Any]
) -> tuple[QuerySet, dict[str, list[str]]]:
    """Custom-field filters and sort for a list: (queryset, errors by parameter). With errors,
    the custom filters are not applied (the page says why)."""
    definitions = catalog.active
    if not definitions:
        return queryset, {}
    errors: dict[str, list[str]] = {}
    if any(str(k).startswith("cf_") for k in params):
        try:
            queryset = custom_filter(
                queryset, definitions=definitions, params=params, catalog=catalog
            )
        except ValidationError as exc:
            errors = exc.message_dict
    order = custom_sort_key(definitions, str(params.get("sort", "")))
    if order is not None:
        queryset = queryset.order_by(order, "pk")
    return queryset, errors


def without_custom_sort(params):  # type: ignore[no-untyped-def]
    """The query parameters minus a custom sort, for the core FilterSet (which knows only the
    core sort keys and would reject cf_ ones)."""
    if str(params.get("sort", "")).lstrip("-").startswith("cf_"):
        params = params.copy()
        params.pop("sort")
    return params

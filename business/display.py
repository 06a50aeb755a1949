"""Custom-field values as people read them (labels, term names, formatted amounts), for detail
pages, and for the publish step, which copies shareable ones with the owner's labels."""

from __future__ import annotations

from typing import Any

from business.models import FieldDefinition, FieldType, Term
from identity.models import User


def _term_labels(definitions: list[FieldDefinition]) -> dict[tuple[int, str], str]:
    vocabularies = {d.vocabulary_id for d in definitions if d.vocabulary_id}
    if not vocabularies:
        return {}
    return {
        (t.vocabulary_id, t.key): t.label
        for t in Term.objects.filter(vocabulary_id__in=vocabularies).only(
            "vocabulary_id", "key", "label"
        )
    }


def _user_names(definitions: list[FieldDefinition], values: list[dict[str, Any]]) -> dict[int, str]:
    keys = [d.key for d in definitions if d.field_type == FieldType.USER]
    ids = {v[k] for v in values for k in keys if isinstance(v.get(k), int)}
    if not ids:
        return {}

    return {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=ids)}


def format_value(definition: FieldDefinition, value: Any, terms: dict, users: dict) -> str:
    kind = definition.field_type
    if value in (None, "", []):
        return ""
    if kind == FieldType.CHOICE:
        return terms.get((definition.vocabulary_id, value), value)
    if kind == FieldType.MULTI_CHOICE:
        return ", ".join(terms.get((definition.vocabulary_id, v), v) for v in value)
    if kind == FieldType.MONEY and isinstance(value, dict):
        amount = value.get("amount")
        amount_text = (
            f"{amount:,.2f}".rstrip("0").rstrip(".")
            if isinstance(amount, int | float)
            else str(amount)
        )
        return f"{amount_text} {value.get('currency') or ''}".strip()
    if kind == FieldType.PERCENT:
        return f"{value} %"
    if kind == FieldType.NUMBER and isinstance(value, int | float):
        return f"{value:,}"
    if kind == FieldType.USER:
        return users.get(value, "Former member")
    return str(value)


def custom_rows(
    *, definitions: list[FieldDefinition], values: dict[str, Any]
) -> list[dict[str, Any]]:
    """One row per active field, in the admin's order: label, group, shown value."""
    active = [d for d in definitions if not d.retired_at]
    terms = _term_labels(active)
    users = _user_names(active, [values])
    return [
        {
            "key": d.key,
            "label": d.label,
            "group": d.group,
            "type": d.field_type,
            "value": values.get(d.key),
            "display": format_value(d, values.get(d.key), terms, users),
            "shareable": d.shareable,
            "derived": d.is_derived,
        }
        for d in active
    ]


def shareable_custom_values(*, object_type: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    """What the publish step may copy: shareable, active fields with a value, each with the
    owner's label and the value as the owner's people read it."""
    definitions = list(
        FieldDefinition.objects.filter(
            object_type=object_type, shareable=True, retired_at__isnull=True
        ).select_related("vocabulary")
    )
    rows = custom_rows(definitions=definitions, values=values)
    return [
        {k: row[k] for k in ("key", "label", "type", "value", "display")}
        for row in rows
        if row["value"] not in (None, "", [])
    ]


def attach_custom_cells(records: list, definitions: list[FieldDefinition], catalog) -> None:  # type: ignore[no-untyped-def]
    """Sets record.custom_cells (shown values of `definitions`, in order) on each record of a
    list page, from the catalog the list already loaded: no query per row or per page."""
    terms = catalog.term_labels()
    for record in records:
        record.custom_cells = [
            format_value(d, record.custom.get(d.key), terms, catalog.people) for d in definitions
        ]

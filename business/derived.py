"""Computing derived fields: every formula of a record type, in dependency order, over the
record's core fields and custom values. Results are stored like typed-in values (so lists can
filter and sort by them) and recomputed on every save."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from business.formula import Formula, FormulaError, dependency_order, evaluate, parse
from business.models import FieldDefinition, FieldType
from business.registry import core_fields_of
from business.values import Catalog, coerce


def known_names(object_type: str, definitions: list[FieldDefinition]) -> set[str]:
    return set(core_fields_of(object_type)) | {d.key for d in definitions if not d.retired_at}


def compiled(object_type: str, definitions: list[FieldDefinition]) -> dict[str, Formula]:
    """key → parsed formula for the active derived fields, checked for loops. Raises
    FormulaError (the admin-facing checks run in the service before saving a definition)."""
    names = known_names(object_type, definitions)
    formulas = {
        d.key: parse(d.formula, known_names=names)
        for d in definitions
        if d.is_derived and not d.retired_at
    }
    dependency_order(formulas)
    return formulas


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def broken_formula_message(catalog: Catalog, exc: FormulaError) -> str:
    names = ", ".join(f"“{d.label}”" for d in catalog.active if d.is_derived)
    return (
        f"Derived fields ({names}) can't be computed: {exc}. "
        "Ask an admin to fix the formula under Settings → Fields; nothing was saved."
    )


def derive(
    *, object_type: str, catalog: Catalog, custom: dict[str, Any], core: dict[str, Any]
) -> dict[str, Any]:
    """`custom` with every derived field recomputed. A result that doesn't fit the field's type
    (text where a number belongs) is stored as no value, like a formula that yields NULL."""
    derived = [d for d in catalog.active if d.is_derived]
    if not derived:
        return custom
    try:
        formulas = compiled(object_type, catalog.definitions)
    except FormulaError as exc:
        # A formula saved as valid can break later (a field it reads was retired). Saving a
        # record would store stale derived values, so the save stops and says why.
        raise ValidationError({"__all__": [broken_formula_message(catalog, exc)]}) from exc
    by_key = {d.key: d for d in derived}
    result = dict(custom)
    values = {**{k: _jsonable(v) for k, v in core.items()}, **result}
    for key in dependency_order(formulas):
        value = evaluate(formulas[key], values)
        result.pop(key, None)
        if value is not None:
            definition = by_key[key]
            try:
                stored = coerce(definition, _jsonable(value), catalog)
                if definition.field_type == FieldType.MONEY:
                    stored["currency"] = stored["currency"] or core.get("currency")
                result[key] = stored
            except ValidationError:
                pass
        values[key] = result.get(key)
    return result

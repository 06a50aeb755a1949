"""Values across the boundary: a CRM value → ours (transforms, the value map, then the
target's type) and ours → the CRM's (the value map read backwards). Every refusal is a
sentence naming the value and what to change, for the preview and the dead-letter list.

Our values are kept JSON-ready (Decimal as text, dates as ISO text) so they can be compared
with the `base` of a link and stored in conflicts as they are."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from accounts.domains import web_domains_normalize
from canonical import currency_code
from integrations.targets import TargetField


class Unconvertible(ValueError):
    """`str(exc)` says which value didn't convert and what to do."""


def _transformed(value: Any, transform: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if transform.get("trim", True):
            value = " ".join(value.split()) if transform.get("squash_spaces") else value.strip()
        case = transform.get("case")
        if case == "upper":
            value = value.upper()
        elif case == "lower":
            value = value.lower()
        elif case == "title":
            value = value.title()
    return value


MAX_DIGITS = 30


def decimal_text(value: Decimal) -> str:
    """A number as text without trailing zeros or exponent ("1000", "0.25"); Unconvertible
    for one no field of ours could hold ("1e999999999")."""
    try:
        text = format(value.normalize(), "f")
    except ArithmeticError as exc:
        raise Unconvertible(f"“{str(value)[:40]}” is too large a number.") from exc
    if len(text.lstrip("-").replace(".", "")) > MAX_DIGITS:
        raise Unconvertible(f"“{str(value)[:40]}” has more digits than we keep.")
    return text


def _number(value: Any, transform: dict[str, Any]) -> str:
    if isinstance(value, bool):
        raise Unconvertible(f"“{value}” is not a number.")
    if isinstance(value, (int, float, Decimal)):
        try:
            return decimal_text(Decimal(str(value)))
        except ArithmeticError as exc:
            raise Unconvertible(f"“{str(value)[:40]}” is not a number.") from exc
    text = str(value).strip()
    if transform.get("decimal_comma"):
        text = text.replace(".", "").replace(" ", "").replace(",", ".")
    else:
        text = text.replace(",", "").replace(" ", "")
    text = re.sub(r"^[^\d+-]+|[^\d]+$", "", text)  # currency signs around the number
    try:
        number = Decimal(text)
    except ArithmeticError as exc:
        raise Unconvertible(
            f"“{str(value)[:40]}” is not a number"
            + ("" if transform.get("decimal_comma") else " (for 1.234,56 tick “decimal comma”)")
            + "."
        ) from exc
    if not number.is_finite():
        raise Unconvertible(f"“{str(value)[:40]}” is not a number.")
    return decimal_text(number)


def _date(value: Any, transform: dict[str, Any]) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    formats = [transform["date_format"]] if transform.get("date_format") else []
    for fmt in [*formats, "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f%z"]:
        try:
            return dt.datetime.strptime(text[:32], fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text).date().isoformat()
    except ValueError as exc:
        hint = f" in the format {transform['date_format']}" if formats else ""
        raise Unconvertible(
            f"“{text[:40]}” is not a date{hint} (set the date format on this field)."
        ) from exc


def to_local(
    value: Any,
    *,
    target: TargetField,
    value_map: dict[str, Any],
    transform: dict[str, Any],
    terms: dict[str, set[str]],
) -> Any:
    """A CRM value as we store it; `terms` holds the term keys of each vocabulary."""
    value = _transformed(value, transform)
    if value in (None, "", False) and transform.get("if_empty"):
        # e.g. a lead without an expected close date: "today" or a fixed value
        fallback = transform["if_empty"]
        value = dt.date.today().isoformat() if fallback == "today" else fallback
    if value in (None, "", False) and target.type not in ("number", "percent", "money"):
        if target.required and target.type != "reference":
            raise Unconvertible(f"{target.label} is required here, and the CRM's value is empty.")
        return [] if target.type == "domains" else ""
    if value_map:
        key = str(value)
        if key not in value_map:
            raise Unconvertible(
                f"“{key[:60]}” has no match for {target.label}: add it to this field's value map."
            )
        value = value_map[key]
    kind = target.type
    if kind in ("number", "percent", "money"):
        if value in (None, ""):
            if target.required:
                raise Unconvertible(f"{target.label} is required here, and the CRM's is empty.")
            return None
        return _number(value, transform)
    if kind == "date":
        return _date(value, transform)
    if kind == "choice":
        allowed = terms.get(target.vocabulary, set())
        if str(value) not in allowed:
            raise Unconvertible(
                f"“{str(value)[:60]}” is not one of your {target.vocabulary.replace('_', ' ')}: "
                "map it onto one in the value map."
            )
        return str(value)
    if kind == "currency":
        code = str(value).strip().upper()
        try:
            currency_code(code)
        except ValidationError as exc:
            raise Unconvertible(f"“{code[:10]}” is not a currency code (e.g. USD).") from exc
        return code
    if kind == "domains":
        try:
            return web_domains_normalize(value if isinstance(value, list) else str(value))
        except ValidationError as exc:
            raise Unconvertible(" ".join(exc.messages)) from exc
    if kind == "reference":
        return str(value)
    text = str(value)
    if target.max_length and len(text) > target.max_length:
        raise Unconvertible(
            f"{target.label} is {len(text):,} characters long; at most {target.max_length:,} fit."
        )
    return text


def to_remote(
    value: Any,
    *,
    target: TargetField,
    value_map: dict[str, Any],
    transform: dict[str, Any] | None = None,
) -> Any:
    """Our value as the CRM should get it: the transform's `push_map` if it names the value,
    else the first CRM value the map sends to ours (several CRM values onto one of ours write
    back the first)."""
    push_map = (transform or {}).get("push_map") or {}
    if isinstance(push_map, dict) and isinstance(value, str) and value in push_map:
        return push_map[value]
    if value_map and not isinstance(value, list):
        for remote, local in value_map.items():
            if local == value:
                return remote
        raise Unconvertible(
            f"“{value}” has no CRM value in the value map for {target.label}: add one."
        )
    if target.type == "domains":
        return value[0] if value else ""
    return value

"""Custom-field values: from what a form or an API client sent to what a record's `custom`
JSONB holds, checked against the company's definitions. One place, so pages and the API
accept and refuse exactly the same things.

Stored shapes (chosen so PostgreSQL can filter and sort them in JSONB):
text, long_text, url, email, choice, reference → string; number, percent → number;
money → {"amount": number, "currency": "EUR"}; date → "YYYY-MM-DD"; multi_choice → [keys];
user → the user's id (number)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from business.models import CHOICE_TYPES, FieldDefinition, FieldType, Term

EMPTY = (None, "", [], {})
MAX_TEXT = {FieldType.TEXT: 500, FieldType.LONG_TEXT: 10_000}


class Catalog:
    """What validation and display need beyond the definitions: the terms of the vocabularies
    the fields use, and the company's members. Each is loaded on first use, once, so a save
    that touches no choice or person field costs no query for them."""

    def __init__(
        self,
        definitions: Iterable[FieldDefinition],
        member_ids: Iterable[int] | Callable[[], Iterable[int]] = (),
        people: dict[int, str] | None = None,
    ):
        self.definitions = list(definitions)
        # people: member id → name, when the caller loaded names (lists show them)
        self.people = people or {}
        self._member_source = member_ids
        self._member_ids: set[int] | None = None
        self._terms: dict[int, dict[str, Term]] | None = None

    @property
    def terms(self) -> dict[int, dict[str, Term]]:
        if self._terms is None:
            vocabularies = {d.vocabulary_id for d in self.definitions if d.vocabulary_id}
            self._terms = {v: {} for v in vocabularies}
            if vocabularies:
                for term in Term.objects.filter(vocabulary_id__in=vocabularies):
                    self._terms[term.vocabulary_id][term.key] = term
        return self._terms

    @property
    def member_ids(self) -> set[int]:
        if self._member_ids is None:
            source = self._member_source
            self._member_ids = set(source() if callable(source) else source) | set(self.people)
        return self._member_ids

    @property
    def active(self) -> list[FieldDefinition]:
        return [d for d in self.definitions if not d.retired_at]

    def term_labels(self) -> dict[tuple[int, str], str]:
        return {(v, key): t.label for v, terms in self.terms.items() for key, t in terms.items()}


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueError
    number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else value
    number = Decimal(str(number))
    if not number.is_finite():
        raise ValueError
    return int(number) if number == number.to_integral_value() else float(number)


def _choice(definition: FieldDefinition, catalog: Catalog, value: Any, previous: Any) -> str:
    term = catalog.terms.get(definition.vocabulary_id, {}).get(str(value))
    if term is None:
        raise ValidationError(f"“{value}” is not one of the choices for {definition.label}.")
    if term.retired_at and value != previous and value not in (previous or []):
        raise ValidationError(f"“{term.label}” is retired; choose a current value.")
    return term.key


def coerce(definition: FieldDefinition, value: Any, catalog: Catalog, previous: Any = None) -> Any:
    """One value in its stored shape, or ValidationError with a message for people."""
    kind = definition.field_type
    try:
        if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
            text = str(value).strip()
            if len(text) > MAX_TEXT[kind]:
                raise ValidationError(f"Keep it under {MAX_TEXT[kind]:,} characters.")
            return text
        if kind in (FieldType.NUMBER, FieldType.PERCENT):
            return _number(value)
        if kind == FieldType.MONEY:
            if isinstance(value, Mapping):
                amount, currency = value.get("amount"), str(value.get("currency") or "").upper()
            else:
                amount, currency = value, ""
            if currency and (len(currency) != 3 or not currency.isalpha()):
                raise ValidationError("Use a three-letter currency code such as USD or EUR.")
            return {"amount": _number(amount), "currency": currency or None}
        if kind == FieldType.DATE:
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, dt.date):
                return value.isoformat()
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        if kind == FieldType.CHOICE:
            return _choice(definition, catalog, value, previous)
        if kind == FieldType.MULTI_CHOICE:
            values = value if isinstance(value, list | tuple) else [value]
            return list(dict.fromkeys(_choice(definition, catalog, v, previous) for v in values))
        if kind == FieldType.USER:
            user_id = int(value)
            if user_id not in catalog.member_ids:
                raise ValidationError("Choose a person in your company.")
            return user_id
        if kind == FieldType.URL:
            url = str(value).strip()
            URLValidator(schemes=["http", "https"])(url)
            return url
        if kind == FieldType.EMAIL:
            email = str(value).strip()
            EmailValidator()(email)
            return email
        if kind == FieldType.REFERENCE:
            return str(uuid.UUID(str(value)))
    except ValidationError as exc:
        # Django's validators say "Enter a valid URL."; keep their words, drop the code.
        raise ValidationError(" ".join(exc.messages)) from exc
    except (ValueError, TypeError, InvalidOperation, ArithmeticError) as exc:
        raise ValidationError(_expected(kind)) from exc
    raise ValidationError(f"Unknown field type {kind}.")


def _expected(kind: str) -> str:
    return {
        FieldType.NUMBER: "Enter a number.",
        FieldType.PERCENT: "Enter a percentage as a number, e.g. 25.",
        FieldType.MONEY: "Enter an amount, e.g. 12500.",
        FieldType.DATE: "Enter a date as YYYY-MM-DD.",
        FieldType.USER: "Choose a person in your company.",
        FieldType.REFERENCE: "Enter the id of a record.",
    }.get(kind, "Enter a valid value.")


def custom_values_clean(
    *,
    data: Mapping[str, Any],
    catalog: Catalog,
    previous: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """The record's new `custom` dict. Unknown keys are refused (a typo must not vanish
    silently); values of retired fields are kept as they were; required fields must have a
    value unless `partial` (an API PATCH that doesn't touch them). Errors are keyed by field."""
    previous = dict(previous or {})
    by_key = {d.key: d for d in catalog.definitions}
    errors: dict[str, list[str]] = {}
    for key in data:
        definition = by_key.get(key)
        if definition is None:
            errors[key] = ["There is no such field."]
        elif definition.retired_at and data[key] != previous.get(key):
            errors[key] = [f"{definition.label} is retired; its values can't be changed."]
        elif definition.is_derived and data[key] != previous.get(key):
            errors[key] = [f"{definition.label} is computed from a formula; it can't be set."]
    result = dict(previous)
    for definition in catalog.definitions:
        if definition.retired_at or definition.is_derived or definition.key in errors:
            continue
        if definition.key not in data:
            if partial or definition.key in previous:
                continue
            value = definition.default
        else:
            value = data[definition.key]
        if value in EMPTY:
            result.pop(definition.key, None)
            if definition.required:
                errors[definition.key] = [f"{definition.label} is required."]
            continue
        try:
            result[definition.key] = coerce(
                definition, value, catalog, previous=previous.get(definition.key)
            )
        except ValidationError as exc:
            errors[definition.key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return result


def is_choice(definition: FieldDefinition) -> bool:
    return definition.field_type in CHOICE_TYPES


def form_errors(exc: ValidationError) -> ValidationError:
    """Errors keyed by field key → keyed by form name (cf_<key>), as forms and the API's
    error translation expect."""
    return ValidationError({f"cf_{key}": messages for key, messages in exc.message_dict.items()})

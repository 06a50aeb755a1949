"""The one call record services make: validate a record's custom values against the current
company's business schema (pages and API share it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from business.derived import derive
from business.models import FieldDefinition
from business.registry import core_fields_of, object_type_of
from business.rules import has_rules, rules_check
from business.selectors import catalog_for
from business.values import Catalog, custom_values_clean, form_errors
from tenants.models import Company


def custom_for_save(
    *,
    object_type: str,
    company: Company,
    submitted: dict[str, Any] | None,
    previous: dict[str, Any] | None = None,
    partial: bool = False,
    core: dict[str, Any] | None = None,
    catalog: Catalog | None = None,
    rules: bool | None = None,
) -> dict[str, Any]:
    """The record's new `custom` dict, or ValidationError keyed cf_<key>. `submitted` None
    means the caller didn't touch custom fields (defaults and required checks still apply to a
    new record). Derived fields are computed from `core` (the record's built-in fields as they
    will be saved) and the custom values. A batch of saves passes the `catalog` and whether
    the kind has `rules`, read once for all of them (custom_batch_context)."""
    if catalog is None:
        catalog = catalog_for(object_type=object_type, company=company)
    if not catalog.definitions:
        if submitted:
            raise ValidationError({f"cf_{key}": ["There is no such field."] for key in submitted})
        custom = dict(previous or {})
    else:
        try:
            custom = custom_values_clean(
                data=submitted or {},
                catalog=catalog,
                previous=previous,
                partial=partial or (submitted is None and previous is not None),
            )
        except ValidationError as exc:
            raise form_errors(exc) from exc
        custom = derive(object_type=object_type, catalog=catalog, custom=custom, core=core or {})
    if core is not None and (has_rules(object_type) if rules is None else rules):
        rules_check(
            object_type=object_type, custom=custom, core=core, definitions=catalog.definitions
        )
    return custom


def custom_changes(
    *,
    object_type: str,
    company: Company,
    data: dict[str, Any],
    previous: dict[str, Any],
    core: dict[str, Any],
) -> dict[str, Any]:
    """For an edit: {"custom": new values} — what the caller sent, and derived fields
    recomputed from `core` (the built-in fields as they will be saved) — or {} when nothing
    custom changes. An API PATCH (data["custom_partial"]) changes only the keys it sent."""
    if (
        "custom" not in data
        and not has_derived_fields(object_type=object_type)
        and not has_rules(object_type)
    ):
        return {}
    custom = custom_for_save(
        object_type=object_type,
        company=company,
        submitted=data.get("custom"),
        previous=previous,
        partial=bool(data.get("custom_partial")) or "custom" not in data,
        core=core,
    )
    return {"custom": custom} if "custom" in data or custom != previous else {}


def has_derived_fields(*, object_type: str) -> bool:
    return (
        FieldDefinition.objects.filter(object_type=object_type, retired_at__isnull=True)
        .exclude(formula="")
        .exists()
    )


def custom_recomputed(
    *, object_type: str, company: Company, custom: dict[str, Any], core: dict[str, Any]
) -> dict[str, Any]:
    """Derived fields recomputed after a change that bypasses the form (a partner's
    collaborative edit written back, an adoption); no required-field checks. A formula of the
    owner's that no longer computes stops the change with a sentence that names none of the
    owner's private configuration (a partner may be the one editing)."""
    catalog = catalog_for(object_type=object_type, company=company)
    try:
        return derive(object_type=object_type, catalog=catalog, custom=dict(custom), core=core)
    except ValidationError as exc:
        raise ValidationError(
            f"{company.name} can't take this change right now: a calculation in its setup "
            "needs an admin's attention. Nothing was saved; try again later."
        ) from exc


def custom_batch_context(*, object_type: str, company: Company) -> dict[str, Any]:
    """What custom_for_save reads of the business schema, read once for a batch of saves."""
    return {
        "catalog": catalog_for(object_type=object_type, company=company),
        "rules": has_rules(object_type),
    }


def collect_errors(*checks: Callable[[], Any]) -> list[Any]:
    """Runs every check and raises one ValidationError with all their field errors, so a form
    or an API client sees every problem at once."""
    errors: dict[str, list[str]] = {}
    results = []
    for check in checks:
        try:
            results.append(check())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
            else:
                errors.setdefault("__all__", []).extend(exc.messages)
            results.append(None)
    if errors:
        raise ValidationError(errors)
    return results


def core_values(record) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The built-in fields a formula may read, from a record (saved or not)."""
    return {name: getattr(record, name, None) for name in core_fields_of(object_type_of(record))}

"""Writes inside one company's schema: its workspace preferences."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actions import AuditAction
from audit.company.models import AuditEntry
from audit.services import company_audit_entry_record
from identity.models import User
from workspace.models import WorkspaceSettings

EDITABLE = ("default_currency", "fiscal_year_start_month", "timezone")


def workspace_settings_get() -> WorkspaceSettings:
    settings_row, _ = WorkspaceSettings.objects.get_or_create(singleton=True)
    return settings_row


def workspace_settings_validate(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean = dict(data)
    if "default_currency" in data:
        code = str(data["default_currency"]).strip().upper()
        if len(code) != 3 or not code.isalpha():
            errors["default_currency"] = "Use a three-letter ISO 4217 code such as USD or EUR."
        clean["default_currency"] = code
    if "fiscal_year_start_month" in data:
        try:
            month = int(data["fiscal_year_start_month"])
        except (TypeError, ValueError):
            month = 0
        if not 1 <= month <= 12:
            errors["fiscal_year_start_month"] = "Choose a month from January to December."
        clean["fiscal_year_start_month"] = month
    if "timezone" in data and data["timezone"] not in zoneinfo.available_timezones():
        errors["timezone"] = "Choose a time zone from the list (for example Europe/Berlin)."
    if errors:
        raise ValidationError(errors)
    return clean


def workspace_settings_update(*, actor: User, data: dict[str, Any]) -> WorkspaceSettings:
    """Validates and saves the company's preferences; the change goes to its audit log."""
    clean = workspace_settings_validate({k: v for k, v in data.items() if k in EDITABLE})
    with transaction.atomic():
        row = WorkspaceSettings.objects.select_for_update().get_or_create(singleton=True)[0]
        changed = {k: v for k, v in clean.items() if getattr(row, k) != v}
        if not changed:
            return row
        before = {k: getattr(row, k) for k in changed}
        for key, value in changed.items():
            setattr(row, key, value)
        row.save(update_fields=[*changed, "updated_at"])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WORKSPACE_SETTINGS_UPDATED,
            target=row,
            before=before,
            after=changed,
        )
    return row


def workspace_bootstrap_run(*, owner: User | None) -> WorkspaceSettings:
    """First run in a new company's schema: its settings row and the first audit entry.
    Idempotent, because Celery may deliver the task twice."""
    with transaction.atomic():
        row = workspace_settings_get()
        if not AuditEntry.objects.filter(action=AuditAction.WORKSPACE_CREATED).exists():
            company_audit_entry_record(
                actor=owner, action=AuditAction.WORKSPACE_CREATED, target=row
            )
    return row

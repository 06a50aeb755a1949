"""Writing audit records. Callers pass plain before/after dicts of what changed."""

from __future__ import annotations

from typing import Any

from django.db import connection

from audit.actions import AuditAction
from audit.company.models import AuditEntry
from audit.hooks import company_entry_recorded
from audit.models import AuditEvent
from dbcopy import rows_copied


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    return str(value)


def audit_event_record(
    *,
    actor: Any,
    company: Any,
    action: AuditAction,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Appends one event to the network audit log (public schema)."""
    action = AuditAction(action)  # an action outside the list is a bug: ValueError
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        company=company,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        before=_json_safe(before),
        after=_json_safe(after),
        ip_address=ip_address,
    )


def company_audit_entry_record(
    *,
    actor: Any,
    action: AuditAction,
    target: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Any:
    """Appends one entry to the current company's own audit log (its schema), and tells the
    rooms that listen (audit.hooks)."""
    action = AuditAction(action)  # an action outside the list is a bug: ValueError
    assert connection.schema_name != "public", "company audit entries belong in a company schema"
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        before=_json_safe(before),
        after=_json_safe(after),
    )
    company_entry_recorded(entry)
    return entry


def company_audit_entries_record(
    *, actor: Any, action: AuditAction, entries: list[tuple[Any, dict[str, Any] | None]]
) -> list[Any]:
    """Many entries of one action at once — (target, after) each, as a batch of new records
    writes them — in one insert; the rooms that listen hear of each, as they would one by one."""
    action = AuditAction(action)
    assert connection.schema_name != "public", "company audit entries belong in a company schema"
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    rows = rows_copied(
        [
            AuditEntry(
                actor_id=actor_id,
                action=action,
                target_type=target._meta.label_lower,
                target_id=str(target.pk),
                before=None,
                after=_json_safe(after),
            )
            for target, after in entries
        ]
    )
    for entry in rows:
        company_entry_recorded(entry)
    return rows

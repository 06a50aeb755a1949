"""Retiring and restoring, the same for fields and terms: nothing is deleted, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from identity.models import User


def retired_set(*, actor: User, obj, retired: bool, noun: str, update_fields: list[str]):  # type: ignore[no-untyped-def]
    """Retire or restore a field or a term, audited. Nothing is deleted either way."""
    with transaction.atomic():
        before = obj.retired_at
        obj.retired_at = timezone.now() if retired else None
        obj.save(update_fields=["retired_at", *update_fields])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction(f"business.{noun}_{'retired' if retired else 'restored'}"),
            target=obj,
            before={"retired_at": before},
            after={"retired_at": obj.retired_at},
        )
    return obj

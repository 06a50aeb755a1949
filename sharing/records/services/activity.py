"""Writing a shared record's activity feed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from identity.models import User
from sharing.models import ActivityEvent, SharedRecord
from sharing.records.services.entries import entries_sync
from tenants.models import Company


def activity_record(
    *,
    record: SharedRecord,
    company: Company,
    actor: User | None,
    verb: str,
    data: dict[str, Any] | None = None,
) -> ActivityEvent:
    event = ActivityEvent.objects.create(
        record=record, company=company, actor=actor, verb=verb, data=data or {}
    )
    SharedRecord.objects.filter(pk=record.pk).update(last_activity_at=timezone.now())
    entries_sync(record.pk)
    return event

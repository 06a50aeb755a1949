"""Writing a shared record's activity feed; every event is also told to the rooms that
listen (sharing.hooks.record_event: webhooks)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from identity.models import User
from sharing.hooks import RecordEvent, record_event
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
    record_event(
        RecordEvent(
            record_id=record.pk,
            company_id=company.pk,
            actor_id=actor.pk if actor is not None else None,
            verb=verb,
            data=event.data,
        )
    )
    return event

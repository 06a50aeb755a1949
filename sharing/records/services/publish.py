"""The publish step (invariant 1): the only code that copies a company's data into the network.
It takes the record's full field dict and keeps only what the owner's share policy allows."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from business.display import shareable_custom_values
from sharing.hooks import RecordEvent, record_event
from sharing.models import (
    DealRole,
    DirectoryListing,
    Participation,
    ParticipationStatus,
    SharedRecord,
)
from sharing.records.policy import shareable_fields
from sharing.records.services.activity import activity_record
from sharing.records.services.entries import entries_sync
from sharing.records.services.notifications import notify_stage_change
from sharing.records.withholding import CUSTOM_PREFIX
from tenants.models import Company


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def publishable_payload(*, company: Company, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    allowed = shareable_fields(company=company, kind=kind)
    payload = {key: _jsonable(fields[key]) for key in allowed if key in fields}
    if fields.get("custom"):
        # Only fields the owner marked shareable, with the owner's labels (a partner without a
        # mapping reads them in the owner's terms). Runs in the owner's schema.

        shared = shareable_custom_values(object_type=kind, values=fields["custom"])
        if shared:
            payload["custom"] = _jsonable(shared)
    return payload


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Names of the published fields whose values differ (custom ones as "custom.<key>")."""
    changed = [
        key
        for key in sorted(set(before) | set(after))
        if key != "custom" and before.get(key) != after.get(key)
    ]

    def custom(payload: dict[str, Any]) -> dict[str, Any]:
        items = payload.get("custom")
        if not isinstance(items, list):
            return {}
        return {i.get("key"): i for i in items if isinstance(i, dict)}

    old, new = custom(before), custom(after)
    changed += [
        f"{CUSTOM_PREFIX}{key}"
        for key in sorted(set(old) | set(new), key=str)
        if old.get(key) != new.get(key)
    ]
    return changed


def record_publish(
    *, company: Company, kind: str, source_id: uuid.UUID, title: str, fields: dict[str, Any]
) -> SharedRecord:
    """Creates or refreshes the network copy of a record; bumps its version on change."""
    payload = publishable_payload(company=company, kind=kind, fields=fields)
    with transaction.atomic():
        record, created = SharedRecord.objects.select_for_update().get_or_create(
            owner=company,
            kind=kind,
            source_id=source_id,
            defaults={"title": title[:200], "payload": payload, "stage": payload.get("stage", "")},
        )
        if created:
            Participation.objects.create(
                record=record,
                company=company,
                status=ParticipationStatus.ACCEPTED,
                deal_role=DealRole.SOURCED,
            )
        previous_stage = record.stage
        if not created and (record.payload != payload or record.title != title[:200]):
            changed = _changed_fields(record.payload, payload)
            if record.title != title[:200]:
                changed.append("title")
            SharedRecord.objects.filter(pk=record.pk).update(
                title=title[:200],
                payload=payload,
                stage=payload.get("stage", ""),
                version=F("version") + 1,
                updated_at=timezone.now(),
                last_activity_at=timezone.now(),
            )
            record.refresh_from_db()
            entries_sync(record.pk)
            if record.stage != previous_stage:
                activity_record(
                    record=record,
                    company=company,
                    actor=None,
                    verb="record.stage_changed",
                    data={"before": {"stage": previous_stage}, "after": {"stage": record.stage}},
                )
                notify_stage_change(
                    record=record, actor=None, before=previous_stage, after=record.stage
                )
            # (a stage move alone is the activity event above; this tells what else changed)
            changed = [name for name in changed if name != "stage"]
            if changed:
                record_event(
                    RecordEvent(
                        record_id=record.pk,
                        company_id=company.pk,
                        actor_id=None,
                        verb="record.updated",
                        data={"changed": changed},
                    )
                )
    return record


def listing_publish(
    *, company: Company, source_id: uuid.UUID, name: str, fields: dict[str, Any]
) -> None:
    """Shows a solution on the company's public profile, with its shareable fields only."""
    payload = publishable_payload(company=company, kind="solution", fields=fields)
    DirectoryListing.objects.update_or_create(
        company=company, source_id=source_id, defaults={"name": name[:200], "payload": payload}
    )


def listing_withdraw(*, company: Company, source_id: uuid.UUID) -> None:
    DirectoryListing.objects.filter(company=company, source_id=source_id).delete()


def record_archive_published(*, shared_record_id, archived_at) -> None:  # type: ignore[no-untyped-def]
    """The owner archived its record: its network copy leaves every inbox (it stays readable
    by its participants through a direct link until the owner unshares it)."""
    if shared_record_id is None:
        return
    SharedRecord.objects.filter(pk=shared_record_id).update(archived_at=archived_at)
    entries_sync(shared_record_id)

"""Keeps the sharing entries' copies of their record's sort and filter keys in step."""

from __future__ import annotations

from sharing.models import SharedRecord, SharedRecordGroupPermission, SharedRecordUserPermission


def entry_record_fields(record: SharedRecord) -> dict:
    return {
        "record_kind": record.kind,
        "record_stage": record.stage,
        "record_owner_id": record.owner_id,
        "record_activity_at": record.last_activity_at,
        "record_archived": record.archived_at is not None,
    }


def entries_sync(record_id) -> None:  # type: ignore[no-untyped-def]
    """Copies the record's current keys onto all its entries (call after changing the record)."""
    record = SharedRecord.objects.filter(pk=record_id).first()
    if record is None:
        return
    fields = entry_record_fields(record)
    SharedRecordGroupPermission.objects.filter(content_object_id=record_id).update(**fields)
    SharedRecordUserPermission.objects.filter(content_object_id=record_id).update(**fields)

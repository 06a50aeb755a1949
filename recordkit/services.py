"""The writes every record kind shares, written once: each kind's services validate their own
fields, then hand the saved record here to be audited and, when it is on the network,
re-published — all inside the caller's transaction, so a record, its audit entry and its
network copy change together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entries_record, company_audit_entry_record
from dbcopy import rows_copied
from identity.models import User
from sharing.models import SharedRecord
from sharing.records.services.publish import record_archive_published, record_publish
from tenants.models import Company


@dataclass(frozen=True)
class RecordWrites:
    """How one kind's records are published and audited."""

    kind: str
    # the fields the publish step may copy (it keeps only what the share policy allows), and
    # the before/after of an audit entry
    fields_of: Callable[[Any], dict[str, Any]]
    title_of: Callable[[Any], str]
    created: AuditAction
    updated: AuditAction
    archived: AuditAction
    # None for a kind that never goes on the network (accounts)
    published: AuditAction | None = None
    # what else follows a save, an archive or a publish (e.g. a solution's public listing)
    after_write: Callable[[Company, Any], None] | None = None


def _changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _publish(writes: RecordWrites, company: Company, obj: Any) -> SharedRecord:
    return record_publish(
        company=company,
        kind=writes.kind,
        source_id=obj.pk,
        title=writes.title_of(obj),
        fields=writes.fields_of(obj),
    )


def record_republish(writes: RecordWrites, *, company: Company, obj: Any) -> None:
    """Refreshes the network copy of a shared record after a change made outside an edit form
    (a partner's write-back moving a derived field); nothing for a private record."""
    if getattr(obj, "shared_record_id", None):
        _publish(writes, company, obj)


def record_created(writes: RecordWrites, *, actor: User, company: Company, obj: Any) -> Any:
    """Saves a validated new record and audits it."""
    with transaction.atomic():
        obj.save()
        company_audit_entry_record(
            actor=actor, action=writes.created, target=obj, after=writes.fields_of(obj)
        )
        if writes.after_write:
            writes.after_write(company, obj)
    return obj


def records_created(
    writes: RecordWrites, *, actor: User, company: Company, objs: list[Any]
) -> list:
    """Saves many validated new records of one kind in one insert, and audits each: what
    record_created does, for a batch (a CRM's initial import). The caller validated them as it
    would one by one; a unique index that refuses one refuses the batch (IntegrityError), and
    the caller saves them one by one instead."""
    if not objs:
        return []
    with transaction.atomic():
        saved = rows_copied(objs)
        company_audit_entries_record(
            actor=actor,
            action=writes.created,
            entries=[(obj, writes.fields_of(obj)) for obj in saved],
        )
        if writes.after_write:
            for obj in saved:
                writes.after_write(company, obj)
    return saved


def record_updated(
    writes: RecordWrites, *, actor: User | None, company: Company, obj: Any, before: dict
) -> Any:
    """After a kind saved an edit (inside the caller's transaction): audits what changed and
    re-publishes the record if it is on the network."""
    changed_before, changed_after = _changed(before, writes.fields_of(obj))
    if changed_after:
        company_audit_entry_record(
            actor=actor,
            action=writes.updated,
            target=obj,
            before=changed_before,
            after=changed_after,
        )
    record_republish(writes, company=company, obj=obj)
    if writes.after_write:
        writes.after_write(company, obj)
    return obj


def record_archive(writes: RecordWrites, *, actor: User, company: Company, obj: Any) -> Any:
    """Archives (records are never deleted); the network copy is archived with it."""
    with transaction.atomic():
        obj.archived_at = timezone.now()
        obj.save(update_fields=["archived_at", "updated_at"])
        if writes.after_write:
            writes.after_write(company, obj)
        if getattr(obj, "shared_record_id", None):
            record_archive_published(
                shared_record_id=obj.shared_record_id, archived_at=obj.archived_at
            )
        company_audit_entry_record(actor=actor, action=writes.archived, target=obj)
    return obj


def record_publish_for(
    writes: RecordWrites, *, actor: User | None, company: Company, obj: Any
) -> SharedRecord:
    """Makes the record shareable: its network copy exists (still with nobody on its list
    until a partner is added). Audited the first time."""
    with transaction.atomic():
        record = _publish(writes, company, obj)
        if obj.shared_record_id != record.pk:
            obj.shared_record_id = record.pk
            obj.save(update_fields=["shared_record_id"])
            company_audit_entry_record(actor=actor, action=writes.published, target=obj)
    return record

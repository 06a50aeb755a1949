"""Both sides changed a field since the last sync: nothing is overwritten; the field goes to
the conflict inbox with both values, who changed ours and when, and when the CRM's changed."""

from __future__ import annotations

from typing import Any

from audit.company.models import AuditEntry
from integrations.models import ConflictState, ExternalLink, SyncConflict


def _last_changed_by(kind: str, local_id: Any) -> int | None:
    return (
        AuditEntry.objects.filter(target_id=str(local_id), target_type__endswith=f".{kind}")
        .order_by("-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def conflict_record(
    *,
    link: ExternalLink,
    field: str,
    base: Any,
    ours: Any,
    theirs: Any,
    ours_changed_at: Any,
    theirs_changed_at: str,
) -> bool:
    """Opens the field's conflict, or brings its open one up to date; True if it is new."""
    existing = SyncConflict.objects.filter(
        link=link, local_field=field, state=ConflictState.OPEN
    ).first()
    if existing is not None:
        if (existing.ours, existing.theirs) != (ours, theirs):
            existing.ours, existing.theirs = ours, theirs
            existing.theirs_changed_at = theirs_changed_at
            existing.ours_changed_at = ours_changed_at
            existing.save(update_fields=["ours", "theirs", "theirs_changed_at", "ours_changed_at"])
        return False
    SyncConflict.objects.create(
        connection_id=link.connection_id,
        link=link,
        local_field=field,
        base_value=base,
        ours=ours,
        theirs=theirs,
        ours_changed_by_id=_last_changed_by(link.kind, link.local_id),
        ours_changed_at=ours_changed_at,
        theirs_changed_at=theirs_changed_at,
    )
    return True


def open_conflict_fields(link_ids: list[Any]) -> set[tuple[Any, str]]:
    return set(
        SyncConflict.objects.filter(link_id__in=link_ids, state=ConflictState.OPEN).values_list(
            "link_id", "local_field"
        )
    )

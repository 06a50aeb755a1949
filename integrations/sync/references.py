"""A CRM reference (a deal's party id) ↔ our record (its account): through the links the
sync keeps, looked up for a whole batch at once."""

from __future__ import annotations

from typing import Any

from integrations.mapping import CompiledObject
from integrations.models import ExternalLink


def _reference_fields(compiled: CompiledObject) -> list[Any]:
    return [f for f in compiled.fields if f.target.type == "reference"]


def _ids_for(
    compiled: CompiledObject, connection_id: Any, batch: list[dict[str, Any]], *, by: str
) -> dict[tuple[str, str], str]:
    """(kind, id on the `by` side) → the id on the other side, for every reference the
    batch's values hold, in one query per kind."""
    other = "local_id" if by == "external_id" else "external_id"
    wanted: dict[str, set[str]] = {}
    for f in _reference_fields(compiled):
        for values in batch:
            if values.get(f.local):
                wanted.setdefault(f.target.kind, set()).add(str(values[f.local]))
    found: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        for key, value in ExternalLink.objects.filter(
            connection_id=connection_id, kind=kind, remote_deleted_at=None, **{f"{by}__in": ids}
        ).values_list(by, other):
            found[(kind, str(key))] = str(value)
    return found


def local_ids_for(
    compiled: CompiledObject, connection_id: Any, batch: list[dict[str, Any]]
) -> dict[tuple[str, str], str]:
    """(kind, external id) → our id, for pulling references."""
    return _ids_for(compiled, connection_id, batch, by="external_id")


def external_ids_for(
    compiled: CompiledObject, connection_id: Any, batch: list[dict[str, Any]]
) -> dict[tuple[str, str], str]:
    """(kind, our id) → the CRM's id, for pushing references."""
    return _ids_for(compiled, connection_id, batch, by="local_id")


def resolve_to_local(
    compiled: CompiledObject, values: dict[str, Any], found: dict[tuple[str, str], str]
) -> dict[str, str]:
    """Swaps the CRM's ids for ours in place; answers {field: why} for those not here."""
    errors = {}
    for f in _reference_fields(compiled):
        remote = values.get(f.local)
        if not remote:
            if f.target.required:
                errors[f.local] = f"It has no {f.target.label.lower()} in the CRM."
            continue
        local = found.get((f.target.kind, str(remote)))
        if local is None:
            errors[f.local] = (
                f"Its {f.target.label.lower()} (CRM id {remote}) isn't synced here: map the "
                "CRM's accounts too, or check that record in the CRM."
            )
        else:
            values[f.local] = local
    return errors


def resolve_to_remote(
    compiled: CompiledObject, values: dict[str, Any], found: dict[tuple[str, str], str]
) -> dict[str, str]:
    errors = {}
    for f in _reference_fields(compiled):
        if f.local not in values or not f.pushes:
            continue
        local = values.get(f.local)
        if not local:
            continue
        remote = found.get((f.target.kind, str(local)))
        if remote is None:
            errors[f.local] = (
                f"Its {f.target.label.lower()} is not in the CRM yet: sync the account first "
                "(or let this connection create accounts in the CRM)."
            )
        else:
            values[f.local] = remote
    return errors

"""Us → CRM. Records changed here since their last sync (a version above the link's) send
the fields the network owns or shares; a both-ways field is first compared with the CRM's
current value, and one the CRM changed too becomes a conflict instead of a write. New
records go to the CRM only if the mapping says so. A record taken from a partner's share is
pushed only while this company may still read that share (invariant 3)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from integrations.connectors.base import RecordRejected
from integrations.convert import Unconvertible
from integrations.mapping import CompiledObject
from integrations.models import Direction, ExternalLink, RemoteCreateRequest, SystemOfRecord
from integrations.records import ADAPTERS, same
from integrations.sync.conflicts import conflict_record, open_conflict_fields
from integrations.sync.context import RunContext
from integrations.sync.references import external_ids_for, resolve_to_remote
from integrations.sync.retry import with_retries
from sharing.records.access import shared_records_visible_to

BATCH = 200


def _still_shared_with_us(ctx: RunContext, objects: list[Any]) -> set[Any]:
    """Of the records adopted from partners' shares, the ids whose share we still read."""
    adopted = {o.adopted_from_id: o.pk for o in objects if getattr(o, "adopted_from_id", None)}
    if not adopted:
        return set()
    visible = set(
        shared_records_visible_to(user=ctx.actor, company=ctx.company)
        .filter(pk__in=list(adopted))
        .values_list("pk", flat=True)
    )
    return {adopted[pk] for pk in visible}


def _allowed(ctx: RunContext, objects: list[Any]) -> list[Any]:
    still = _still_shared_with_us(ctx, objects)
    return [o for o in objects if not getattr(o, "adopted_from_id", None) or o.pk in still]


def push_object(ctx: RunContext, compiled: CompiledObject) -> None:
    if not any(f.pushes for f in compiled.fields):
        return
    adapter = ADAPTERS[compiled.kind]
    version = Subquery(adapter.model.objects.filter(pk=OuterRef("local_id")).values("version")[:1])
    changed = (
        ExternalLink.objects.filter(
            connection=ctx.connection, remote_object=compiled.remote_object, remote_deleted_at=None
        )
        .annotate(current=version)
        .filter(current__gt=F("local_version"))
        .order_by("pk")
    )
    last = 0
    while True:
        links = list(changed.filter(pk__gt=last)[:BATCH])
        if not links:
            break
        last = links[-1].pk
        _push_changed(ctx, compiled, adapter, links)
    _push_new(ctx, compiled, adapter)


def _push_changed(
    ctx: RunContext, compiled: CompiledObject, adapter: Any, links: list[ExternalLink]
) -> None:
    objects = adapter.model.objects.in_bulk([link.local_id for link in links])
    allowed = {o.pk for o in _allowed(ctx, list(objects.values()))}
    blocked = open_conflict_fields([link.pk for link in links])
    ours_of = {
        link.pk: adapter.values(objects[link.local_id], compiled.local_fields)
        for link in links
        if link.local_id in objects
    }
    diffs_of: dict[int, dict[str, Any]] = {}
    for link in links:
        if link.pk not in ours_of:
            continue
        ours = ours_of[link.pk]
        diffs_of[link.pk] = {
            f.local: ours.get(f.local)
            for f in compiled.fields
            if f.pushes
            and (link.pk, f.local) not in blocked
            and not same(ours.get(f.local), link.base.get(f.local))
        }
    # the CRM's current values, for the both-ways fields about to be written (version check)
    check = [
        link.external_id
        for link in links
        if any(
            f.sor == SystemOfRecord.BOTH and f.local in diffs_of.get(link.pk, {})
            for f in compiled.fields
        )
    ]
    current = {}
    if check:
        for record in with_retries(
            lambda: ctx.connector.read(compiled.remote_object, check, fields=compiled.remote_fields)
        ):
            values, _ = compiled.to_local(record.values)
            current[record.external_id] = (values, record.modified)
    remote_refs = external_ids_for(compiled, ctx.connection.pk, list(diffs_of.values()))
    for link in links:
        obj = objects.get(link.local_id)
        if obj is None or link.pk not in diffs_of:
            continue
        if obj.pk not in allowed:
            ctx.count("skipped")  # the partner took the share back: nothing of it leaves
            continue
        diffs = diffs_of[link.pk]
        with transaction.atomic():
            theirs, modified = current.get(link.external_id, ({}, ""))
            for f in compiled.fields:
                if f.sor != SystemOfRecord.BOTH or f.local not in diffs or not theirs:
                    continue
                now, was = theirs.get(f.local), link.base.get(f.local)
                if same(now, was):
                    continue
                if same(now, diffs[f.local]):
                    link.base[f.local] = now
                else:
                    ctx.count(
                        "conflicts",
                        conflict_record(
                            link=link,
                            field=f.local,
                            base=was,
                            ours=diffs[f.local],
                            theirs=now,
                            ours_changed_at=obj.updated_at,
                            theirs_changed_at=modified,
                        ),
                    )
                del diffs[f.local]
            if _send(ctx, compiled, link, obj, diffs, remote_refs):
                link.local_version = (
                    obj.version if not blocked_after(link, compiled) else link.local_version
                )
                link.save(update_fields=["base", "remote_modified", "local_version", "synced_at"])


def blocked_after(link: ExternalLink, compiled: CompiledObject) -> bool:
    """Whether a field of the link still waits on a conflict (the record stays 'changed here'
    so the push looks at it again once the conflict is resolved)."""
    return bool(open_conflict_fields([link.pk]))


def _send(
    ctx: RunContext,
    compiled: CompiledObject,
    link: ExternalLink,
    obj: Any,
    diffs: dict[str, Any],
    remote_refs: dict[tuple[str, str], str],
) -> bool:
    """Writes `diffs` to the CRM record; False (and a dead letter) if it was refused."""
    if not diffs:
        return True
    try:
        remote_values = dict(diffs)
        errors = resolve_to_remote(compiled, remote_values, remote_refs)
        if errors:
            raise Unconvertible(" ".join(errors.values()))
        payload = compiled.to_remote(remote_values, only=set(diffs))
        result = with_retries(
            lambda: ctx.connector.upsert(compiled.remote_object, link.external_id, payload)
        )
    except (Unconvertible, RecordRejected) as exc:
        ctx.dead_letter(
            direction=Direction.PUSH,
            remote_object=compiled.remote_object,
            external_id=link.external_id,
            local_id=obj.pk,
            payload={k: v for k, v in diffs.items()},
            error=str(exc),
        )
        return False
    link.base.update(diffs)
    link.remote_modified = result.modified
    ctx.count("pushed")
    ctx.resolved(
        direction=Direction.PUSH, remote_object=compiled.remote_object, external_id=link.external_id
    )
    return True


def _push_new(ctx: RunContext, compiled: CompiledObject, adapter: Any) -> None:
    """Our records with no CRM record yet, created there with our id as their origin: a
    worker killed between the CRM's create and our commit finds that record by its origin
    next time instead of creating it twice."""
    linked = ExternalLink.objects.filter(connection=ctx.connection, kind=compiled.kind).values(
        "local_id"
    )
    requests = RemoteCreateRequest.objects.filter(
        connection=ctx.connection, kind=compiled.kind, done_at=None
    )
    unlinked = adapter.model.objects.filter(archived_at=None).exclude(pk__in=linked)
    if not compiled.mapping.create_remote:
        unlinked = unlinked.filter(pk__in=requests.values("local_id"))
    fresh = list(unlinked.order_by("created_at")[: BATCH * 5])
    allowed = _allowed(ctx, fresh)
    # asked for from a partner's share (the deal and the customer's account with it): only
    # while this company still reads that share
    from_shares = dict(
        requests.exclude(shared_record_id=None).values_list("local_id", "shared_record_id")
    )
    readable = set(
        shared_records_visible_to(user=ctx.actor, company=ctx.company)
        .filter(pk__in=set(from_shares.values()))
        .values_list("pk", flat=True)
    )
    allowed = [o for o in allowed if o.pk not in from_shares or from_shares[o.pk] in readable]
    refused = {o.pk for o in fresh} - {o.pk for o in allowed}
    if refused:
        # the partner took the share back before the run: nothing of it goes to the CRM
        ctx.count("skipped", len(refused))
        requests.filter(local_id__in=refused).update(done_at=timezone.now())
    for obj in allowed:
        ours = adapter.values(obj, compiled.local_fields)
        values = {f.local: ours.get(f.local) for f in compiled.fields if f.pushes}
        refs = external_ids_for(compiled, ctx.connection.pk, [values])
        try:
            errors = resolve_to_remote(compiled, values, refs)
            if errors:
                raise Unconvertible(" ".join(errors.values()))
            payload = compiled.to_remote(values)
            found = with_retries(
                lambda o=obj: ctx.connector.find_by_origin(compiled.remote_object, str(o.pk))
            )
            result = with_retries(
                lambda p=payload, o=obj, e=found: ctx.connector.upsert(
                    compiled.remote_object, e, p, origin=str(o.pk)
                )
            )
        except (Unconvertible, RecordRejected, ValidationError) as exc:
            ctx.dead_letter(
                direction=Direction.PUSH,
                remote_object=compiled.remote_object,
                local_id=obj.pk,
                payload={k: str(v) for k, v in values.items()},
                error=str(exc),
            )
            continue
        ExternalLink.objects.update_or_create(
            connection=ctx.connection,
            remote_object=compiled.remote_object,
            external_id=result.external_id,
            defaults={
                "kind": compiled.kind,
                "local_id": obj.pk,
                "base": ours,
                "remote_modified": result.modified,
                "local_version": obj.version,
            },
        )
        ctx.count("pushed")
        requests.filter(local_id=obj.pk).update(done_at=timezone.now())
        ctx.resolved(
            direction=Direction.PUSH, remote_object=compiled.remote_object, local_id=obj.pk
        )

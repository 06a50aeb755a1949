"""CRM → us. Per object, page by page from the saved cursor; each page is one transaction
with its cursor and counts, so a re-run or a duplicated job re-reads at most one page and
changes nothing (values equal to the link's base are skipped), and a killed worker resumes
where the last committed page ended."""

from __future__ import annotations

import logging
from itertools import chain
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.domains import web_domains_normalize
from accounts.models import Account
from accounts.selectors import account_by_domain
from concurrency.versioning import StaleVersion
from dbcopy import rows_copied
from integrations.connectors.base import RemoteRecord
from integrations.mapping import CompiledObject
from integrations.models import DeadLetter, Direction, ExternalLink, SyncCursor, SystemOfRecord
from integrations.records import ADAPTERS, KindAdapter, same
from integrations.sync.conflicts import conflict_record
from integrations.sync.context import RunContext
from integrations.sync.references import local_ids_for, resolve_to_local
from integrations.sync.retry import with_retries

logger = logging.getLogger(__name__)


def _sentence(errors: dict[str, str], compiled: CompiledObject) -> str:
    labels = {f.local: f.target.label for f in compiled.fields}
    return " ".join(f"{labels.get(k, k)}: {v}" for k, v in errors.items())


def _service_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def pull_object(ctx: RunContext, compiled: CompiledObject) -> None:
    cursor, _ = SyncCursor.objects.get_or_create(
        connection=ctx.connection, remote_object=compiled.remote_object
    )
    position = dict(cursor.position)
    if position.get("counted_for") != str(ctx.run.pk):
        # a new run counts what it will read (the progress bar's total); a resumed one
        # counted it already
        position.pop("counted", None)
    while True:
        page = with_retries(
            lambda p=position: ctx.connector.changes(
                compiled.remote_object,
                p,
                limit=settings.INTEGRATIONS_PAGE_SIZE,
                fields=compiled.remote_fields,
            )
        )
        with transaction.atomic():
            pull_records(ctx, compiled, page.records)
            SyncCursor.objects.filter(pk=cursor.pk).update(
                position={**page.cursor, "counted_for": str(ctx.run.pk)}
            )
            ctx.flush(expected_add=page.total)
        position = {**page.cursor, "counted_for": str(ctx.run.pk)}
        if page.done:
            return


def replay_pulls(ctx: RunContext, compiled: CompiledObject) -> None:
    """Records the admin asked to replay: read from the CRM again, whatever the cursor."""
    letters = DeadLetter.objects.filter(
        connection=ctx.connection,
        direction=Direction.PULL,
        remote_object=compiled.remote_object,
        resolved_at=None,
        replay_requested_at__isnull=False,
    )
    ids = list(letters.values_list("external_id", flat=True))
    if not ids:
        return
    records = with_retries(
        lambda: ctx.connector.read(compiled.remote_object, ids, fields=compiled.remote_fields)
    )
    with transaction.atomic():
        pull_records(ctx, compiled, records)
        letters.update(replay_requested_at=None)
        ctx.flush()


def pull_records(ctx: RunContext, compiled: CompiledObject, records: list[RemoteRecord]) -> None:
    """One page: map, resolve references, then create, update, skip or open conflicts. The
    records new here are created together (one insert per table: an initial import is mostly
    these); the others one by one."""
    if not records:
        return
    adapter = ADAPTERS[compiled.kind]
    links = {
        link.external_id: link
        for link in ExternalLink.objects.select_for_update().filter(
            connection=ctx.connection,
            remote_object=compiled.remote_object,
            external_id__in=[r.external_id for r in records],
        )
    }
    objects = adapter.model.objects.in_bulk([link.local_id for link in links.values()])
    mapped = []
    for record in records:
        values, errors = compiled.to_local(record.values)
        mapped.append((record, values, errors))
    found = local_ids_for(compiled, ctx.connection.pk, [v for _, v, e in mapped if not e])
    fresh: dict[str, tuple[RemoteRecord, dict[str, Any]]] = {}
    synced: list[str] = []
    for record, values, errors in mapped:
        ctx.count("processed")
        if not errors:
            errors = resolve_to_local(compiled, values, found)
        if errors:
            _letter(ctx, compiled, record, _sentence(errors, compiled))
            continue
        link = links.get(record.external_id)
        obj = objects.get(link.local_id) if link is not None else None
        if link is None:
            if record.external_id in fresh:
                ctx.count("skipped")  # (a page naming one record twice: its last state counts)
            fresh[record.external_id] = (record, values)
        elif (
            obj is not None
            and record.modified
            and record.modified == link.remote_modified
            and link.remote_deleted_at is None
        ):
            # Read again, unchanged since we last took it in: cursors overlap on purpose (a CRM
            # stamps many records with one timestamp), so this is common and costs nothing.
            ctx.count("skipped")
        elif _one(ctx, compiled, adapter, record, values, link, obj):
            synced.append(record.external_id)
    synced += _create_new(ctx, compiled, adapter, list(fresh.values()))
    ctx.resolved_many(
        direction=Direction.PULL, remote_object=compiled.remote_object, external_ids=synced
    )


def _letter(ctx: RunContext, compiled: CompiledObject, record: RemoteRecord, error: str) -> None:
    ctx.dead_letter(
        direction=Direction.PULL,
        remote_object=compiled.remote_object,
        external_id=record.external_id,
        payload=record.values,
        error=error,
    )


def _one(
    ctx: RunContext,
    compiled: CompiledObject,
    adapter: KindAdapter,
    record: RemoteRecord,
    values: dict[str, Any],
    link: ExternalLink | None,
    obj: Any,
) -> bool:
    """One record through the kind's services, in its own savepoint: True once it synced."""
    try:
        with transaction.atomic():
            if obj is None:
                _create(ctx, compiled, adapter, record, values, link)
            else:
                _update(ctx, compiled, adapter, record, values, link, obj)  # type: ignore[arg-type]
    except ValidationError as exc:
        _letter(ctx, compiled, record, "We couldn't save it here: " + _service_error(exc))
        return False
    except StaleVersion:
        ctx.count("skipped")  # someone saved it meanwhile: the next run looks again
        return False
    except Exception:  # one record must not stop the company's sync: it waits, visible
        logger.exception(
            "sync %s: %s %s failed", ctx.run.pk, compiled.remote_object, record.external_id
        )
        _letter(
            ctx,
            compiled,
            record,
            "An error on our side stopped this record; it is kept here. Replay it once we have fixed it.",
        )
        return False
    return True


def _create_new(
    ctx: RunContext,
    compiled: CompiledObject,
    adapter: KindAdapter,
    fresh: list[tuple[RemoteRecord, dict[str, Any]]],
) -> list[str]:
    """Records the CRM has and we don't, created in one go through the kind's batch service;
    the external ids that synced. An account whose domain an account here has already goes
    one by one (it is linked to that account, or refused with its name); so does the whole
    page if an index refuses the batch (a race with another save)."""
    one_by_one: list[tuple[RemoteRecord, dict[str, Any]]] = []
    if compiled.kind == "account" and fresh:
        held = _domains_held([v for _, v in fresh])
        one_by_one = [(r, v) for r, v in fresh if _domains(v) & held]
        fresh = [(r, v) for r, v in fresh if not _domains(v) & held]
    synced: list[str] = []
    if fresh:
        try:
            with transaction.atomic():
                results = adapter.create_many(
                    actor=ctx.actor, company=ctx.company, values=[v for _, v in fresh]
                )
                made = [
                    (record, obj)
                    for (record, _), obj in zip(fresh, results, strict=True)
                    if not isinstance(obj, ValidationError)
                ]
                rows_copied(
                    [
                        ExternalLink(
                            connection=ctx.connection,
                            remote_object=compiled.remote_object,
                            external_id=record.external_id,
                            **_link_fields(compiled, adapter, record, obj),
                        )
                        for record, obj in made
                    ]
                )
        except IntegrityError:
            logger.info("sync %s: a page of new records goes one by one", ctx.run.pk)
            one_by_one += fresh
        else:
            for (record, _), obj in zip(fresh, results, strict=True):
                if isinstance(obj, ValidationError):
                    _letter(
                        ctx, compiled, record, "We couldn't save it here: " + _service_error(obj)
                    )
                else:
                    ctx.count("created")
                    synced.append(record.external_id)
    for record, values in one_by_one:
        if _one(ctx, compiled, adapter, record, values, None, None):
            synced.append(record.external_id)
    return synced


def _domains(values: dict[str, Any]) -> set[str]:
    try:
        return set(web_domains_normalize(values.get("domains") or []))
    except ValidationError:
        return set()


def _domains_held(values: list[dict[str, Any]]) -> set[str]:
    """Of the page's domains, those an open account here has."""
    wanted = set().union(*(_domains(v) for v in values))
    if not wanted:
        return set()
    return wanted & set(
        chain.from_iterable(
            Account.objects.filter(archived_at=None, domains__overlap=list(wanted)).values_list(
                "domains", flat=True
            )
        )
    )


def _unlinked_account_for(ctx: RunContext, values: dict[str, Any]) -> Account | None:
    """An account typed in here before the CRM was connected, with one of the CRM record's
    domains: linked rather than duplicated."""
    for domain in values.get("domains") or []:
        account = account_by_domain(domain=domain)
        if (
            account is not None
            and not ExternalLink.objects.filter(
                connection=ctx.connection, kind="account", local_id=account.pk
            ).exists()
        ):
            return account
    return None


def _create(
    ctx: RunContext,
    compiled: CompiledObject,
    adapter: KindAdapter,
    record: RemoteRecord,
    values: dict[str, Any],
    link: ExternalLink | None,
) -> None:
    existing = _unlinked_account_for(ctx, values) if compiled.kind == "account" else None
    if existing is not None:
        ours = adapter.values(existing, compiled.local_fields)
        link = ExternalLink.objects.create(
            connection=ctx.connection,
            remote_object=compiled.remote_object,
            external_id=record.external_id,
            kind=compiled.kind,
            local_id=existing.pk,
            base=ours,
            local_version=existing.version,
        )
        _update(ctx, compiled, adapter, record, values, link, existing)
        return
    obj = adapter.create(actor=ctx.actor, company=ctx.company, values=values)
    fields = _link_fields(compiled, adapter, record, obj)
    if link is None:
        ExternalLink.objects.create(
            connection=ctx.connection,
            remote_object=compiled.remote_object,
            external_id=record.external_id,
            **fields,
        )
    else:  # its record here is gone (never: records archive); link the new one
        ExternalLink.objects.filter(pk=link.pk).update(**fields)
    ctx.count("created")


def _link_fields(
    compiled: CompiledObject, adapter: KindAdapter, record: RemoteRecord, obj: Any
) -> dict[str, Any]:
    """A link to a record just made from the CRM's: both sides agree on every field."""
    return dict(
        kind=compiled.kind,
        local_id=obj.pk,
        base=adapter.values(obj, compiled.local_fields),
        remote_modified=record.modified,
        local_version=obj.version,
        remote_deleted_at=None,
    )


def _update(
    ctx: RunContext,
    compiled: CompiledObject,
    adapter: KindAdapter,
    record: RemoteRecord,
    values: dict[str, Any],
    link: ExternalLink,
    obj: Any,
) -> None:
    ours = adapter.values(obj, compiled.local_fields)
    base = dict(link.base)
    changes: dict[str, Any] = {}
    opened = 0
    for f in compiled.fields:
        theirs, mine, was = values.get(f.local), ours.get(f.local), base.get(f.local)
        if same(theirs, was):
            continue  # the CRM didn't change it
        if same(theirs, mine):
            base[f.local] = theirs  # both sides hold the same value already
            continue
        if f.sor == SystemOfRecord.NETWORK:
            continue  # ours wins: the push writes it back over the CRM's
        if f.sor == SystemOfRecord.CRM or same(mine, was):
            changes[f.local] = theirs
            base[f.local] = theirs
            continue
        opened += conflict_record(
            link=link,
            field=f.local,
            base=was,
            ours=mine,
            theirs=theirs,
            ours_changed_at=obj.updated_at,
            theirs_changed_at=record.modified,
        )
    if changes:
        obj = adapter.update(actor=ctx.actor, company=ctx.company, obj=obj, values=changes)
        ctx.count("updated")
    elif not opened:
        ctx.count("skipped")
    ctx.count("conflicts", opened)
    pending_here = any(
        f.pushes and not same(ours.get(f.local), base.get(f.local))
        for f in compiled.fields
        if f.local not in changes
    )
    link.base = base
    link.remote_modified = record.modified
    link.remote_deleted_at = None
    if not pending_here:
        link.local_version = obj.version
    link.save(
        update_fields=["base", "remote_modified", "remote_deleted_at", "local_version", "synced_at"]
    )

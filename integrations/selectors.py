"""Reads of a company's integrations (its schema): another company's connection simply
isn't there, so every lookup by id is a 404 for anyone else."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from identity.models import User
from integrations.models import (
    ConflictState,
    Connection,
    DeadLetter,
    ObjectMapping,
    RunState,
    SyncConflict,
    SyncRun,
)

RECENT_RUNS = 20
JUST_ENDED = dt.timedelta(minutes=1)


def _get(qs: QuerySet, pk: Any, what: str) -> Any:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404(f"No such {what}.") from exc


def connections_of_company() -> QuerySet[Connection]:
    return Connection.objects.annotate(
        open_conflicts=Count(
            "conflict_set", filter=Q(conflict_set__state=ConflictState.OPEN), distinct=True
        ),
        open_letters=Count("dead_letters", filter=Q(dead_letters__resolved_at=None), distinct=True),
    ).order_by("name")


def connection_get(*, pk: uuid.UUID | str) -> Connection:
    return _get(Connection.objects.all(), pk, "connection")


def object_mapping_get(*, connection: Connection, pk: Any) -> ObjectMapping:
    return _get(
        ObjectMapping.objects.filter(connection=connection).prefetch_related("fields"),
        pk,
        "mapping",
    )


def run_get(*, connection: Connection, pk: Any) -> SyncRun:
    return _get(SyncRun.objects.filter(connection=connection), pk, "run")


def conflict_get(*, connection: Connection, pk: Any) -> SyncConflict:
    return _get(
        SyncConflict.objects.filter(connection=connection).select_related("link", "connection"),
        pk,
        "conflict",
    )


def letter_get(*, connection: Connection, pk: Any) -> DeadLetter:
    return _get(
        DeadLetter.objects.filter(connection=connection).select_related("connection"), pk, "record"
    )


def open_conflicts(connection: Connection) -> QuerySet[SyncConflict]:
    return SyncConflict.objects.filter(
        connection=connection, state=ConflictState.OPEN
    ).select_related("link")


def open_letters(connection: Connection) -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(connection=connection, resolved_at=None)


@dataclass(frozen=True)
class Health:
    state: str
    last_success_at: dt.datetime | None
    lag: dt.timedelta | None
    runs: list[SyncRun]
    error_rate: float | None  # failed runs of the recent ones
    current: SyncRun | None
    conflicts: int
    letters: int
    connected_by: User | None


def connection_health(connection: Connection) -> Health:
    """What the connection's page shows: is it syncing, how far behind, how often it fails."""
    runs = list(SyncRun.objects.filter(connection=connection)[:RECENT_RUNS])
    finished = [
        r for r in runs if r.state in (RunState.SUCCEEDED, RunState.PARTIAL, RunState.FAILED)
    ]
    # the run going on, else one that just ended (its finished bar stays on the page a minute)
    current = next((r for r in runs if r.state in (RunState.QUEUED, RunState.RUNNING)), None)
    just_ended = bool(runs) and runs[0].finished_at is not None
    if current is None and just_ended and timezone.now() - runs[0].finished_at < JUST_ENDED:
        current = runs[0]
    return Health(
        state=connection.get_state_display(),
        last_success_at=connection.last_success_at,
        lag=timezone.now() - connection.last_success_at if connection.last_success_at else None,
        runs=runs,
        error_rate=(
            sum(r.state in (RunState.FAILED, RunState.PARTIAL) for r in finished) / len(finished)
            if finished
            else None
        ),
        current=current,
        conflicts=open_conflicts(connection).count(),
        letters=open_letters(connection).count(),
        connected_by=User.objects.filter(pk=connection.connected_by_id).first(),
    )

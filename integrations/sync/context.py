"""What one run carries while it works: the connection, its connector, the service account
it acts as, the company, the run's counters (saved with every batch, so the progress bar
moves and a killed worker loses nothing it had counted)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from identity.models import User
from integrations.connectors.base import Connector
from integrations.models import Connection, DeadLetter, Direction, SyncRun
from tenants.models import Company

COUNTERS = (
    "processed",
    "created",
    "updated",
    "skipped",
    "failed",
    "conflicts",
    "pushed",
    "archived",
)


@dataclass
class RunContext:
    connection: Connection
    run: SyncRun
    connector: Connector
    actor: User
    company: Company
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] += n

    def flush(self, *, expected_add: int | None = None) -> None:
        """Adds what was counted since the last flush to the run's row (inside the batch's
        transaction: a batch and its counts commit together)."""
        changes: dict[str, Any] = {k: F(k) + v for k, v in self.counts.items() if v}
        if expected_add is not None:
            changes["expected"] = Coalesce(F("expected"), 0) + expected_add
        changes["heartbeat_at"] = timezone.now()
        SyncRun.objects.filter(pk=self.run.pk).update(**changes)
        self.counts = dict.fromkeys(COUNTERS, 0)

    def dead_letter(
        self,
        *,
        direction: Direction,
        remote_object: str,
        error: str,
        external_id: str = "",
        local_id: Any = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """One record that didn't sync; the same record failing again updates its letter."""
        self.count("failed")
        # as JSON keeps it (a CRM's decimals and dates as text)
        payload = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
        key = {"external_id": external_id} if external_id else {"local_id": local_id}
        letter = DeadLetter.objects.filter(
            connection=self.connection,
            direction=direction,
            remote_object=remote_object,
            resolved_at=None,
            **key,
        ).first()
        if letter is None:
            DeadLetter.objects.create(
                connection=self.connection,
                run=self.run,
                direction=direction,
                remote_object=remote_object,
                external_id=external_id,
                local_id=local_id,
                payload=payload or {},
                error=error[:2000],
            )
        else:
            letter.run = self.run
            letter.error = error[:2000]
            letter.payload = payload or letter.payload
            letter.attempts += 1
            letter.save(update_fields=["run", "error", "payload", "attempts", "last_attempt_at"])

    def resolved(
        self,
        *,
        direction: Direction,
        remote_object: str,
        external_id: str = "",
        local_id: Any = None,
    ) -> None:
        """A record that failed before synced now: its letter closes."""
        key = {"external_id": external_id} if external_id else {"local_id": local_id}
        DeadLetter.objects.filter(
            connection=self.connection,
            direction=direction,
            remote_object=remote_object,
            resolved_at=None,
            **key,
        ).update(resolved_at=timezone.now())

    def resolved_many(
        self, *, direction: Direction, remote_object: str, external_ids: list[str]
    ) -> None:
        """Records that synced: the letters of those that had failed before close (one
        query for a page)."""
        if external_ids:
            DeadLetter.objects.filter(
                connection=self.connection,
                direction=direction,
                remote_object=remote_object,
                resolved_at=None,
                external_id__in=external_ids,
            ).update(resolved_at=timezone.now())

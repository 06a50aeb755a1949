"""One SyncRun from start to end: lock the connection, sign in, pull every mapped object
(accounts first), push what changed here, apply deletions, record the outcome on the run and
the connection. Safe to run twice: a second worker on the same connection finds the lock
taken and cancels its run; a killed worker's run is picked up again from the cursors."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection as db
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from concurrency.locks import session_lock
from identity.models import ServiceAccount, User
from integrations.addresses import crm_address_check
from integrations.connectors.base import AuthFailed, ConnectorError
from integrations.connectors.registry import connector_for
from integrations.mapping import compiled_mappings
from integrations.models import Connection, ConnectionState, RunState, SyncRun
from integrations.sync.context import RunContext
from integrations.sync.deletions import deletions_apply
from integrations.sync.pull import pull_object, replay_pulls
from integrations.sync.push import push_object
from integrations.sync.retry import with_retries
from tenants.models import Company

# consecutive failed runs before the admins are told (once, until a run succeeds)
FAILURES_BEFORE_NOTICE = 3


def connection_lock(connection_id: Any) -> AbstractContextManager[bool]:
    """One run per connection at a time, across the run's many transactions."""
    return session_lock(f"sync:{connection_id}")


def _finish(run: SyncRun, state: str, error: str = "") -> None:
    SyncRun.objects.filter(pk=run.pk).update(
        state=state, finished_at=timezone.now(), error=error[:2000]
    )
    run.refresh_from_db()


def _actor(connection: Connection) -> User | None:
    account = (
        ServiceAccount.objects.filter(pk=connection.service_account_id)
        .select_related("user")
        .first()
    )
    if account is None or account.disabled_at is not None or not account.user.is_active:
        return None
    return account.user


def sync_run_execute(*, run_id: Any, on_failure: Any = None) -> SyncRun:
    """`on_failure(connection)` is called when a connection reaches FAILURES_BEFORE_NOTICE
    failed runs in a row (the task sends the admins an e-mail)."""
    run = SyncRun.objects.select_related("connection").get(pk=run_id)
    connection = run.connection
    if run.state in (RunState.SUCCEEDED, RunState.PARTIAL, RunState.FAILED, RunState.CANCELLED):
        return run  # a duplicate delivery of a finished run: nothing to do
    if connection.state in (
        ConnectionState.PAUSED,
        ConnectionState.DISCONNECTED,
        ConnectionState.DRAFT,
    ):
        _finish(
            run, RunState.CANCELLED, f"The connection is {connection.get_state_display().lower()}."
        )
        return run
    with connection_lock(connection.pk) as got:
        if not got:
            _finish(run, RunState.CANCELLED, "Another sync of this connection was running.")
            return run
        return _execute(run, connection, on_failure)


def _execute(run: SyncRun, connection: Connection, on_failure: Any) -> SyncRun:
    actor = _actor(connection)
    if actor is None:
        _failed(
            run,
            connection,
            "The connection's service account is disabled: reconnect it in Settings → Integrations.",
            on_failure,
        )
        return run
    company = Company.objects.get(schema_name=db.schema_name)
    now = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, started_at=run.started_at or now, heartbeat_at=now
    )
    Connection.objects.filter(pk=connection.pk).update(last_run_at=now)
    ctx = RunContext(connection, run, connector_for(connection), actor, company)
    try:
        if connection.settings.get("url"):  # an address the admin typed (Tryton's)
            crm_address_check(str(connection.settings["url"]))
        with_retries(ctx.connector.authenticate)
        mappings = compiled_mappings(connection.pk)
        for compiled in mappings:
            replay_pulls(ctx, compiled)
            pull_object(ctx, compiled)
        for compiled in mappings:
            push_object(ctx, compiled)
            ctx.flush()
        for compiled in mappings:
            deletions_apply(ctx, compiled)
        _store_refreshed_secret(ctx)
    except (AuthFailed, ConnectorError) as exc:
        ctx.flush()
        _failed(run, connection, str(exc), on_failure)
        return run
    except ValidationError as exc:  # the CRM's address is no longer allowed
        ctx.flush()
        _failed(run, connection, " ".join(exc.messages), on_failure)
        return run
    except Exception:
        ctx.flush()
        _failed(
            run, connection, "The sync stopped on an error of ours; it will be retried.", on_failure
        )
        raise
    ctx.flush()
    run.refresh_from_db()
    _finish(run, RunState.PARTIAL if run.failed else RunState.SUCCEEDED)
    Connection.objects.filter(pk=connection.pk).update(
        last_success_at=timezone.now(),
        consecutive_failures=0,
        failure_notified_at=None,
        last_error="",
        state=ConnectionState.ACTIVE,
    )
    run.refresh_from_db()
    return run


def _store_refreshed_secret(ctx: RunContext) -> None:
    refreshed = ctx.connector.refreshed_secret()
    if refreshed is not None:
        connection = Connection.objects.get(pk=ctx.connection.pk)
        connection.secret = json.dumps(refreshed)
        connection.save(update_fields=["secret", "updated_at"])


def _failed(run: SyncRun, connection: Connection, error: str, on_failure: Any) -> None:
    _finish(run, RunState.FAILED, error)
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            consecutive_failures=F("consecutive_failures") + 1, last_error=error[:2000]
        )
        connection.refresh_from_db()
        if (
            connection.consecutive_failures >= FAILURES_BEFORE_NOTICE
            and connection.state == ConnectionState.ACTIVE
        ):
            Connection.objects.filter(pk=connection.pk).update(state=ConnectionState.FAILING)
        if (
            connection.consecutive_failures >= FAILURES_BEFORE_NOTICE
            and connection.failure_notified_at is None
        ):
            Connection.objects.filter(pk=connection.pk).update(failure_notified_at=timezone.now())
            if on_failure is not None:
                transaction.on_commit(lambda: on_failure(connection))

"""Connecting a test company to the local Tryton and running syncs the way the product does
(services, the engine, real JSON-RPC)."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django_tenants.utils import schema_context

from integrations.models import Connection, SyncRun
from integrations.services import connection_create, connection_switch_on, sync_run_start
from integrations.sync.engine import sync_run_execute
from tenants.models import Membership
from tests.builders import CompanyWorld
from tests.crm.rpc import Tryton
from tests.crm.tryton_fixture import TrytonDatabase


def seed(rpc: Tryton, *, parties: int = 2, per_party: int = 1) -> list[int]:
    """Parties with a web site, each with opportunities; answers the opportunity ids."""
    ctx = rpc("model.res.user.get_preferences", True, {})
    ctx = {k: ctx[k] for k in ("company", "employee") if ctx.get(k)}
    opportunity_ids = []
    for i in range(parties):
        (party,) = rpc(
            "model.party.party.create",
            [
                {
                    "name": f"Customer {i}",
                    "contact_mechanisms": [
                        [
                            "create",
                            [{"type": "website", "value": f"https://www.customer{i}.example"}],
                        ]
                    ],
                }
            ],
            ctx,
        )
        for j in range(per_party):
            (opp,) = rpc(
                "model.sale.opportunity.create",
                [
                    {
                        "description": f"Deal {i}-{j}",
                        "party": party,
                        "amount": Decimal(f"{1000 * (i + 1) + j}.00"),
                        "start_date": dt.date(2027, 1, 1),
                        "end_date": dt.date(2027, 6, 30),
                        "conversion_probability": 0.25,
                    }
                ],
                ctx,
            )
            opportunity_ids.append(opp)
    return opportunity_ids


def rpc_context(rpc: Tryton) -> dict[str, Any]:
    prefs = rpc("model.res.user.get_preferences", True, {})
    return {k: prefs[k] for k in ("company", "employee") if prefs.get(k)}


def connect(world: CompanyWorld, db: TrytonDatabase) -> Connection:
    membership = Membership.objects.get(company=world.company, user=world.owner)
    with schema_context(world.company.schema_name):
        return connection_create(
            actor=world.owner,
            actor_membership=membership,
            company=world.company,
            connector="tryton",
            name="Northwind Tryton",
            settings={"url": db.url, "database": db.database},
            secret={"login": db.login, "password": db.password},
        )


def run_now(world: CompanyWorld, connection: Connection, *, first: bool = False) -> SyncRun:
    """Starts a run through the service and executes it here (what the worker does)."""
    membership = Membership.objects.get(company=world.company, user=world.owner)
    with schema_context(world.company.schema_name):
        connection.refresh_from_db()
        if first:
            run = connection_switch_on(
                actor=world.owner, actor_membership=membership, connection=connection
            )
        else:
            run = sync_run_start(
                actor=world.owner, actor_membership=membership, connection=connection
            )
        return sync_run_execute(run_id=run.pk)


def connection_plant(
    world: CompanyWorld, *, name: str = "Planted CRM", url: str = "http://127.0.0.1:9"
) -> dict[str, Any]:
    """A connection with one of everything (mapping, run, link, conflict, dead letter), made
    without a CRM to talk to: for the pages' access tests, which never reach the CRM."""
    from identity.service_accounts import service_account_create
    from integrations.models import (
        DeadLetter,
        ExternalLink,
        FieldMapping,
        ObjectMapping,
        SyncConflict,
        SyncRun,
    )

    membership = Membership.objects.get(company=world.company, user=world.owner)
    account, _ = service_account_create(
        actor=world.owner,
        actor_membership=membership,
        company=world.company,
        name=f"{name} sync",
        scopes=["records:write"],
        with_token=False,
        expires_in_days=None,
    )
    with schema_context(world.company.schema_name):
        connection = Connection.objects.create(
            connector="tryton",
            name=name,
            state="active",
            settings={"url": url, "database": f"{name.lower().replace(' ', '-')}-db"},
            secret='{"login": "planted", "password": "planted-secret"}',
            service_account_id=account.pk,
            actor_id=account.user_id,
            connected_by_id=world.owner.pk,
            catalog={"objects": [{"name": "party.party", "label": "Parties", "suggested_kind": "account"}],
                     "fields": {"party.party": [{"name": "name", "label": "Name", "type": "text"}]}},
        )  # fmt: skip
        mapping = ObjectMapping.objects.create(
            connection=connection,
            remote_object="party.party",
            remote_label="Parties",
            kind="account",
        )
        FieldMapping.objects.create(object_mapping=mapping, remote_field="name", local_field="name")
        run = SyncRun.objects.create(
            connection=connection, trigger="manual", state="succeeded", processed=3
        )
        link = ExternalLink.objects.create(
            connection=connection,
            remote_object="party.party",
            external_id="7",
            kind="account",
            local_id="00000000-0000-0000-0000-00000000000a",
            base={"name": "Planted"},
        )
        conflict = SyncConflict.objects.create(
            connection=connection, link=link, local_field="name", ours="Ours", theirs="Theirs"
        )
        letter = DeadLetter.objects.create(
            connection=connection,
            direction="pull",
            remote_object="party.party",
            external_id="8",
            error="Name: too long.",
        )
    return {
        "connection": connection,
        "mapping": mapping,
        "run": run,
        "conflict": conflict,
        "letter": letter,
    }


@contextlib.contextmanager
def celery_queue(queue: str):  # type: ignore[no-untyped-def]
    """Tasks go to `queue` (its own per test process: others use the same broker) and are
    not run eagerly, for tests with a real worker; everything is put back afterwards,
    Celery's cached queue and routing objects included."""
    from ecosystem.celery import app

    def forget() -> None:
        for cached in ("queues", "default_queue", "router"):
            app.amqp.__dict__.pop(cached, None)

    # Celery reads Django's settings live beneath its own layer of changes: put that layer back
    # as it was, rather than a value read here (a test's `settings` fixture may already have
    # switched eager off, and would otherwise leave it off for every later test).
    keys = ("task_always_eager", "task_default_queue")
    before = {key: app.conf.changes[key] for key in keys if key in app.conf.changes}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    forget()
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
        yield app
    finally:
        for key in keys:
            app.conf.changes.pop(key, None)
        app.conf.changes.update(before)
        forget()


def import_plant(world: CompanyWorld, *, name: str = "victim-accounts.csv") -> Any:
    """An uploaded, checked file of the company's (a row that fails included), for the
    access tests."""
    from integrations.files.services import import_upload

    membership = Membership.objects.get(company=world.company, user=world.owner)
    with schema_context(world.company.schema_name):
        job = import_upload(
            actor=world.owner,
            membership=membership,
            kind="account",
            filename=name,
            data=b"Name,Website\nVictim Customer,victim-customer.example\n,no-name.example\n",
        )
        job.row_errors = [{"row": 3, "errors": ["Name: Name is empty, and every row needs one."]}]
        job.save(update_fields=["row_errors"])
        return job

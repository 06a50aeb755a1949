"""A Celery worker process killed (SIGKILL) in the middle of an initial import: the broker
hands the unacknowledged task to the next worker, which resumes from the cursor the killed one
committed — every CRM record arrives exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection as db
from django_tenants.utils import schema_context

from integrations.models import ExternalLink, RunState, SyncRun
from pipeline.models import Opportunity
from tenants.models import Membership
from tests.builders import company_make, network_make
from tests.crm.rpc import Tryton
from tests.integrations.helpers import celery_queue, connect, seed

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`

ROOT = Path(__file__).resolve().parents[2]


def _worker(queue: str) -> subprocess.Popen:
    """A real worker process on the test database, reading small pages (so a run has many)."""
    settings = db.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ecosystem.settings.test",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
        "INTEGRATIONS_PAGE_SIZE": "3",
        "CELERY_VISIBILITY_TIMEOUT": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ecosystem", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_resumes_from_its_cursor_without_duplicates(tryton_db, settings):
    from integrations.services import connection_switch_on

    network_make(pool_size=0)
    world = company_make("killsync", "Kill Sync")
    rpc = Tryton(tryton_db)
    rpc.login()
    seed(rpc, parties=10, per_party=6)
    connection = connect(world, tryton_db)
    queue = f"kill-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with celery_queue(queue):
        membership = Membership.objects.get(company=world.company, user=world.owner)
        with schema_context(world.company.schema_name):
            run = connection_switch_on(
                actor=world.owner, actor_membership=membership, connection=connection
            )
        first = _worker(queue)

        def processed() -> int:
            with schema_context(world.company.schema_name):
                return SyncRun.objects.get(pk=run.pk).processed

        try:
            assert _wait(lambda: processed() >= 9, 60), "the first worker never got going"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        with schema_context(world.company.schema_name):
            halfway = SyncRun.objects.get(pk=run.pk)
            assert halfway.state == RunState.RUNNING and halfway.processed < halfway.expected

        second = _worker(queue)
        try:

            def finished() -> bool:
                with schema_context(world.company.schema_name):
                    return SyncRun.objects.get(pk=run.pk).state != RunState.RUNNING

            assert _wait(finished, 90), "the task was not delivered again"
        finally:
            second.terminate()
            second.wait(10)

    parties = 10  # the seeded customers (Tryton's own company and employee parties stay out)
    with schema_context(world.company.schema_name):
        done = SyncRun.objects.get(pk=run.pk)
        assert done.state == RunState.SUCCEEDED, done.error
        assert Opportunity.objects.count() == 60
        assert ExternalLink.objects.filter(kind="opportunity").count() == 60
        assert ExternalLink.objects.filter(kind="account").count() == parties
        # counted once each: the killed worker's uncommitted page was done again, not twice
        assert done.created == 60 + parties and done.expected == 60 + parties

"""A real Celery worker on the real Redis broker: tasks run in the schema they were sent for."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from ecosystem.celery import app
from tests.builders import company_make, network_make


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _close_thread_connections(**_kwargs) -> None:
    # The in-process worker thread opens its own database connection; close it after each
    # task so the test database can be dropped at the end of the session.
    connections.close_all()


@pytest.fixture
def real_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "ecosystem.mail.CeleryEmailBackend"
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        yield
    finally:
        task_postrun.disconnect(_close_thread_connections)
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_tasks_run_in_the_schema_they_were_sent_for(real_worker):
    network_make(pool_size=0)
    first = company_make("worker-oak", "Worker Oak")
    second = company_make("worker-elm", "Worker Elm")
    # both companies' bootstrap tasks (and welcome e-mails) are now queued in Redis
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):

        def both_bootstrapped() -> bool:
            done = []
            for world in (first, second):
                with schema_context(world.company.schema_name):
                    done.append(AuditEntry.objects.filter(action="workspace.created").exists())
            return all(done)

        assert _wait_for(both_bootstrapped), "the worker did not run the bootstrap tasks"
        assert _wait_for(lambda: len(mail.outbox) >= 2), "welcome e-mails were not delivered"

    for world in (first, second):
        with schema_context(world.company.schema_name):
            entries = list(AuditEntry.objects.filter(action="workspace.created"))
        # exactly one, written by this company's own owner: no task ran in the other schema
        assert [e.actor_id for e in entries] == [world.owner.pk]
    welcome = {m.to[0]: m.subject for m in mail.outbox}
    assert welcome[first.owner.email] == "Your Worker Oak workspace is ready"
    assert welcome[second.owner.email] == "Your Worker Elm workspace is ready"

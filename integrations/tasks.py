"""Background work of the integrations (autodiscovered by Celery): the sync run task, and
the schedule that queues a run for every switched-on connection."""

from __future__ import annotations

from celery import shared_task

from integrations.files.tasks import import_check_task, import_run_task
from integrations.models import Connection, ConnectionState, RunState, RunTrigger
from integrations.services import sync_run_start
from integrations.sync.runner import sync_run_task
from tenants.models import Company
from tenants.schemas import company_schema

__all__ = ["import_check_task", "import_run_task", "sync_run_task", "syncs_schedule"]


@shared_task(ignore_result=True)
def syncs_schedule() -> int:
    """Queues a run for every switched-on connection of every active company that has none
    waiting (beat, every few minutes); answers how many were queued."""
    queued = 0
    for company in Company.objects.filter(status="active").only("schema_name"):
        with company_schema(company.schema_name):
            for connection in Connection.objects.filter(
                state__in=[ConnectionState.ACTIVE, ConnectionState.FAILING]
            ):
                run = sync_run_start(
                    actor=None,
                    actor_membership=None,
                    connection=connection,
                    trigger=RunTrigger.SCHEDULE,
                )
                queued += run.trigger == RunTrigger.SCHEDULE and run.state == RunState.QUEUED
    return queued

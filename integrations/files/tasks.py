"""The import's background work: the check and the import, each in the company's schema;
late acknowledgement, so a killed worker's job is delivered again (and the job's lock and
state make a second delivery do nothing)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection as db
from django.db import transaction

from integrations.files.services import import_check_execute, import_run_execute
from tenants.models import Company
from tenants.schemas import company_schema


def _company() -> Company:
    return Company.objects.get(schema_name=db.schema_name)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_check_task(job_id: str, schema_name: str) -> None:
    with company_schema(schema_name):
        import_check_execute(job_id=job_id, company=_company())


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def import_run_task(job_id: str, schema_name: str) -> None:
    with company_schema(schema_name):
        import_run_execute(job_id=job_id, company=_company())


def import_check_queue(job_id: str) -> None:
    schema = db.schema_name
    transaction.on_commit(lambda: import_check_task.delay(str(job_id), schema))


def import_run_queue(job_id: str) -> None:
    schema = db.schema_name
    transaction.on_commit(lambda: import_run_task.delay(str(job_id), schema))

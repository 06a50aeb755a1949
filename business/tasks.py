"""Background work on a company's business schema (runs in the company's schema, which the
task's _schema_name header selects)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from business.derived import derive
from business.indexes import sort_indexes_build  # noqa: F401 (a task: the worker registers it here)
from business.records import core_values
from business.registry import model_for
from business.selectors import catalog_for
from kinds import kind_get
from tenants.models import Company
from tenants.schemas import company_schema

BATCH = 1000


@shared_task(ignore_result=True)
def derived_recompute(object_type: str, schema_name: str) -> int:
    """Recomputes every record's derived fields after a formula changed; returns how many
    records changed. Batched, so 100,000 records don't sit in memory at once. The schema is
    an argument as well as the routing header, so an eager run (tests, scripts) that starts
    outside the company's schema still works in the right one."""
    with company_schema(schema_name):
        return _recompute(object_type)


def _recompute(object_type: str) -> int:
    model = model_for(object_type)
    if model is None:
        return 0
    # The worker knows the schema by name (tenant-schemas-celery); the company is looked up.
    company = Company.objects.get(schema_name=connection.schema_name)
    catalog = catalog_for(object_type=object_type, company=company)
    changed = 0
    last_pk = None
    while True:
        batch_qs = model.objects.order_by("pk")
        if last_pk is not None:
            batch_qs = batch_qs.filter(pk__gt=last_pk)
        batch = list(batch_qs[:BATCH])
        if not batch:
            return changed
        dirty = []
        for record in batch:
            custom = derive(
                object_type=object_type,
                catalog=catalog,
                custom=dict(record.custom),
                core=core_values(record),
            )
            if custom != record.custom:
                record.custom = custom
                dirty.append(record)
        model.objects.bulk_update(dirty, ["custom"])
        _republish_shared(object_type, company, dirty)
        changed += len(dirty)
        last_pk = batch[-1].pk


def _republish_shared(object_type: str, company: Company, records: list) -> None:
    """Partners read a shareable derived field from the network copy: refresh the copies of
    the shared records whose derived values changed (the kind's own publish handler)."""
    spec = kind_get(object_type)
    if spec is None or spec.sharing is None:
        return
    for record in records:
        if getattr(record, "shared_record_id", None):
            spec.sharing.publish(actor=None, company=company, source_id=record.pk)

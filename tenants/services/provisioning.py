"""Creating companies fast: never run migrations at sign-up.

A migrated template schema is cloned into a small pool of ready schemas ahead of time. Sign-up
claims one pooled row (UPDATE … FOR UPDATE SKIP LOCKED) and turns it into the new company in
one transaction: no DDL on the request path. When the pool is empty we clone the template on
the spot, which is slower but still no migration. The schema keeps its opaque pool name for
life, so a company can later change its slug without renaming a schema under live connections.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists

from tenants.models import Company, CompanyStatus
from tenants.services.schema_clone import schema_clone

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "company_template"


def schema_name_new() -> str:
    return f"c_{secrets.token_hex(8)}"


def template_ensure() -> Company:
    """Returns the template row, creating and migrating its schema the first time (slow: this
    is the one place that runs every company migration from scratch)."""
    template = Company.objects.filter(status=CompanyStatus.TEMPLATE).first()
    if template is not None:
        return template
    template = Company(schema_name=TEMPLATE_SCHEMA, status=CompanyStatus.TEMPLATE)
    template.save()
    if not schema_exists(TEMPLATE_SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
    call_command("migrate_schemas", schema_name=TEMPLATE_SCHEMA, interactive=False, verbosity=0)
    return template


def _schema_clone_from_template(schema_name: str) -> None:
    schema_clone(TEMPLATE_SCHEMA, schema_name)


def pooled_company_create() -> Company:
    """Adds one ready schema to the pool: a row plus a clone of the template."""
    template_ensure()
    with transaction.atomic():
        company = Company(schema_name=schema_name_new(), status=CompanyStatus.POOLED)
        company.save()
        _schema_clone_from_template(company.schema_name)
    return company


# Arbitrary constant naming the advisory lock that serialises pool refills across workers.
POOL_LOCK_KEY = 804_417_001


def schema_pool_fill(*, size: int | None = None) -> int:
    """Tops the pool up to `size` ready schemas; returns how many it added. Concurrent refills
    (two sign-ups at once) do not overfill: the second finds the lock taken and leaves."""
    target = settings.TENANT_POOL_SIZE if size is None else size
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0
    try:
        missing = max(target - Company.objects.filter(status=CompanyStatus.POOLED).count(), 0)
        for _ in range(missing):
            pooled_company_create()
        return missing
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_LOCK_KEY])


def company_schema_claim() -> Company:
    """Takes one pooled company row for a sign-up, or clones a fresh one when the pool is dry.
    Must run inside the sign-up's transaction, so a failed sign-up returns it to the pool."""
    assert transaction.get_connection().in_atomic_block
    company = (
        Company.objects.select_for_update(skip_locked=True)
        .filter(status=CompanyStatus.POOLED)
        .order_by("id")
        .first()
    )
    if company is not None:
        return company
    logger.warning("company schema pool is empty; cloning the template on the request path")
    template_ensure()
    company = Company(schema_name=schema_name_new(), status=CompanyStatus.POOLED)
    company.save()
    _schema_clone_from_template(company.schema_name)
    return company


def company_activate(company: Company, **fields: object) -> Company:
    for name, value in fields.items():
        setattr(company, name, value)
    company.status = CompanyStatus.ACTIVE
    company.provisioned_at = timezone.now()
    company.save(update_fields=[*fields.keys(), "status", "provisioned_at"])
    return company

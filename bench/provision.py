"""Benchmark: provisioning one more company when 1,000 are already on the network.

Measures, in one run and one database:
  pool      company_create() claiming a ready schema from the pool (the sign-up path)
  clone     company_create() with the pool empty: clones the template on the request path
  migrate   the path we do not take: CREATE SCHEMA + migrate_schemas for one new schema
  dt-clone  django-tenants' own plpgsql clone_schema(), which our cloner replaces

Usage:  .venv/bin/python bench/provision.py [--companies 1000] [--runs 30] [--migrate-runs 20]
The database named by BENCH_DATABASE_URL (default: ecosystem_bench on 127.0.0.1:5432) is dropped
and recreated. Timings are wall-clock around the service call, server-side (no HTTP).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import numbered_slug  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench"
)


def _name(prefix: str, i: int) -> str:
    """A company name as distinct as its address ("Company Xqbtkzfe"): numbered names
    ("Company 0001", "Company 0002") are look-alikes the network refuses."""
    return numbered_slug(prefix, i).replace("-", " ").title()


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} | "
        f"{min(ms):.1f} | {max(ms):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--migrate-runs", type=int, default=20)
    parser.add_argument("--dt-clone-runs", type=int, default=5)
    args = parser.parse_args()

    recreate_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["CELERY_BROKER_URL"] = "memory://"  # refill tasks are queued, not run
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecosystem.settings.dev")
    os.environ["LOG_LEVEL"] = "ERROR"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from identity.models import User
    from tenants.models import Company, CompanyStatus
    from tenants.services.companies import company_create
    from tenants.services.network import network_ensure
    from tenants.services.provisioning import (
        pooled_company_create,
        schema_name_new,
        template_ensure,
    )

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    network_ensure()
    template_ensure()

    started = time.perf_counter()
    pool_needed = args.companies + args.runs
    for i in range(pool_needed):
        pooled_company_create()
        if (i + 1) % 100 == 0:
            print(f"  pooled {i + 1}/{pool_needed} schemas", file=sys.stderr)
    owner = User.objects.create_user("bench@example.test", "bench-password-1")
    for i in range(args.companies):
        company_create(actor=owner, name=_name("company", i), slug=numbered_slug("company", i))
    setup_seconds = time.perf_counter() - started
    print(f"  setup: {args.companies} companies in {setup_seconds:.0f}s", file=sys.stderr)

    pool_samples = []
    for i in range(args.runs):
        t0 = time.perf_counter()
        company_create(actor=owner, name=_name("pooled", i), slug=numbered_slug("pooled", i))
        pool_samples.append(time.perf_counter() - t0)
    assert not Company.objects.filter(status=CompanyStatus.POOLED).exists()

    clone_samples = []
    for i in range(args.runs):
        t0 = time.perf_counter()
        company_create(actor=owner, name=_name("cloned", i), slug=numbered_slug("cloned", i))
        clone_samples.append(time.perf_counter() - t0)

    migrate_samples = []
    for _ in range(args.migrate_runs):
        t0 = time.perf_counter()
        company = Company(schema_name=schema_name_new(), status=CompanyStatus.POOLED)
        company.save()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{company.schema_name}"')
        call_command(
            "migrate_schemas", schema_name=company.schema_name, interactive=False, verbosity=0
        )
        migrate_samples.append(time.perf_counter() - t0)

    from django_tenants.clone import CloneSchema

    dt_clone_samples = []
    for _ in range(args.dt_clone_runs):
        t0 = time.perf_counter()
        CloneSchema().clone_schema(
            "company_template", schema_name_new(), "DATA", set_connection=False
        )
        dt_clone_samples.append(time.perf_counter() - t0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'c\\_%%'")
        schemas = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"PostgreSQL {pg_version}; {schemas} company schemas at the end"
    )
    print("| path | runs | p50 ms | p95 ms | min ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(summary("pool: claim a ready schema", pool_samples))
    print(summary("no pool: clone the template", clone_samples))
    print(summary("migrate from scratch (not used)", migrate_samples))
    print(summary("django-tenants clone_schema() (not used)", dt_clone_samples))


if __name__ == "__main__":
    main()

"""Benchmark: the bulk upsert API. One company with custom fields and a validation rule; an
integration's token upserts 1,000 new accounts in one call, then 1,000 updates to them, then
the same 1,000 again (unchanged), and the same for 1,000 opportunities that name their
account by external id. Each call is timed whole (the request, server-side), with its query
count.

Usage:  .venv/bin/python bench/bulk_api.py [--records 1000] [--runs 3]
The database named by BENCH_DATABASE_URL (default ecosystem_bench_bulk on 127.0.0.1) is
dropped and recreated. The company, its people, fields and rule are made through the real
services; every record through the API under test. Timings are server-side: Django's test
client in-process, wall-clock per request, no network. Each run upserts new external ids
(a run's "create" never finds the previous run's records).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import django_against, log, recreate_database  # noqa: E402

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench_bulk"
)
STAGES = ["prospect", "qualify", "propose", "negotiate"]
INDUSTRIES = ["financial_services", "healthcare", "manufacturing", "retail", "technology"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    recreate_database(BENCH_URL)
    django_against(BENCH_URL)
    from django.conf import settings
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from business.models import Vocabulary
    from business.rules import rule_create
    from business.services import field_create
    from identity.models import User
    from identity.service_accounts import service_account_create
    from tenants.models import Membership
    from tenants.services.companies import company_create
    from tenants.services.network import network_ensure
    from tenants.services.provisioning import schema_pool_fill, template_ensure

    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    network_ensure()
    template_ensure()
    schema_pool_fill(size=1)
    owner = User.objects.create_user("owner@bench.test", "bench-password-1", full_name="Owner")
    company = company_create(actor=owner, name="Bench Co", slug="bench")
    _, token = service_account_create(
        actor=owner,
        actor_membership=Membership.objects.get(company=company, user=owner),
        company=company,
        name="CRM bridge",
        scopes=["records:write"],
    )
    with schema_context(company.schema_name):
        regions = Vocabulary.objects.get(key="regions")
        for object_type in ("account", "opportunity"):
            for key, field_type, extra in (
                ("tier", "choice", {"vocabulary": regions}),
                ("seats", "number", {}),
                ("crm_owner", "text", {}),
            ):
                field_create(
                    actor=owner,
                    company=company,
                    data={
                        "object_type": object_type,
                        "key": key,
                        "label": key.replace("_", " ").capitalize(),
                        "field_type": field_type,
                        **extra,
                    },
                )
        rule_create(
            actor=owner,
            data={
                "object_type": "opportunity",
                "name": "Seats",
                "condition": "seats > 100000",
                "message": "Over 100,000 seats needs a deal desk review",
            },
        )
    log(f"company ready in {time.perf_counter() - started:.0f}s")
    measure(args, host=f"bench.{settings.BASE_DOMAIN}", token=token)


def measure(args, *, host: str, token: str) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {token}")
    n = args.records

    def accounts(run: int, version: int) -> list[dict]:
        return [
            {
                "external_id": f"ACC-{run}-{i:05d}",
                "name": f"Customer {run}-{i:05d}",
                "domains": [f"customer-{run}-{i}.example"],
                "industry": INDUSTRIES[i % len(INDUSTRIES)],
                "description": f"Synced from the CRM (v{version})",
                "custom_fields": {"tier": "emea", "seats": 10 + i, "crm_owner": f"rep{i % 40}"},
            }
            for i in range(n)
        ]

    def deals(run: int, version: int) -> list[dict]:
        return [
            {
                "external_id": f"OPP-{run}-{i:05d}",
                "name": f"Customer {run}-{i:05d} — {10 + i} seats",
                "account_external_id": f"ACC-{run}-{i:05d}",
                "amount": f"{1000 + i}.00",
                "currency": "USD",
                "close_date": "2027-06-30",
                "stage": STAGES[(i + version) % len(STAGES)],
                "next_step": f"Call {version}",
                "custom_fields": {"seats": 10 + i, "crm_owner": f"rep{i % 40}"},
            }
            for i in range(n)
        ]

    def call(path: str, records: list[dict], expect: str) -> tuple[float, int]:
        body = json.dumps({"records": records})
        executed = [0]

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            executed[0] += 1
            return execute(sql, params, many, context)

        # (a counting wrapper, not CaptureQueriesContext: its log keeps the last 9,000 only)
        with connection.execute_wrapper(count):
            t0 = time.perf_counter()
            r = client.post(path, body, content_type="application/json")
            elapsed = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200, r.content[:500]
        counts = r.json()["counts"]
        assert counts[expect] == len(records), counts
        return elapsed, executed[0]

    steps = (
        ("accounts: create", "/api/v1/accounts/bulk/", lambda run: accounts(run, 1), "created"),
        ("accounts: update", "/api/v1/accounts/bulk/", lambda run: accounts(run, 2), "updated"),
        (
            "accounts: unchanged",
            "/api/v1/accounts/bulk/",
            lambda run: accounts(run, 2),
            "unchanged",
        ),
        ("opportunities: create", "/api/v1/opportunities/bulk/", lambda r: deals(r, 1), "created"),
        ("opportunities: update", "/api/v1/opportunities/bulk/", lambda r: deals(r, 2), "updated"),
        (
            "opportunities: unchanged",
            "/api/v1/opportunities/bulk/",
            lambda r: deals(r, 2),
            "unchanged",
        ),
    )
    # warm-up: the first request loads the URLconf, the API's serializers and the caches
    call("/api/v1/accounts/bulk/", accounts(-1, 1)[:10], "created")
    call("/api/v1/opportunities/bulk/", deals(-1, 1)[:10], "created")
    samples: dict[str, list[float]] = {name: [] for name, *_ in steps}
    queries: dict[str, set[int]] = {name: set() for name, *_ in steps}
    for run in range(args.runs):
        for name, path, records, expect in steps:
            elapsed, count = call(path, records(run), expect)
            samples[name].append(elapsed)
            queries[name].add(count)
            log(f"run {run + 1}: {name} ({n:,} records) {elapsed:,.0f} ms, {count:,} queries")
    print(
        f"\nbulk upsert, {n:,} records per call, {args.runs} runs; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| call | runs | median ms | min ms | max ms | per record ms | queries | per record |")
    print("|---|---|---|---|---|---|---|---|")
    for name, *_ in steps:
        got = samples[name]
        median = statistics.median(got)
        count = max(queries[name])
        print(
            f"| {name} | {len(got)} | {median:,.0f} | {min(got):,.0f} | {max(got):,.0f} | "
            f"{median / n:.2f} | {count:,} | {count / n:.1f} |"
        )


if __name__ == "__main__":
    main()

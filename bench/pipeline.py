"""Benchmark: the "Shared with me" page, a shared record's page and the API list for a PBM
whose company sees 10,000 of 1,000,000 shared records (about 5,000,000 sharing entries across
1,000 companies), next to the same list through guardian's get_objects_for_user.

Usage:  .venv/bin/python bench/pipeline.py [--companies 1000] [--records 1000000]
        [--entries-per-record 5] [--visible 10000] [--requests 200]
The database named by BENCH_DATABASE_URL (default ecosystem_bench_pipeline on 127.0.0.1) is
dropped and recreated. Companies, people and partnerships are made through the real services;
records and sharing entries are loaded with COPY (like a bulk import would). Timings are
server-side: Django's test client in-process, wall-clock per request, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    django_against,
    log,
    numbered_slug,
    recreate_database,
    row,
    timed,
)

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench_pipeline"
)
STAGES = ["prospect", "qualify", "propose", "negotiate", "won", "lost"]


def _cpu_work() -> None:
    """A fixed piece of pure-Python work, roughly what rendering and ORM code do."""
    parts = {}
    for n in range(60_000):
        parts[f"k{n % 997}"] = str(n) + "-" + hex(n)
    "".join(sorted(parts.values()))


def main() -> None:  # noqa: C901 (a script that reads top to bottom)
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--entries-per-record", type=int, default=5)
    parser.add_argument("--visible", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data a previous run loaded"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    if not args.reuse:
        recreate_database(BENCH_URL)
    django_against(BENCH_URL)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from identity.models import User
    from sharing.models import Partnership, PartnershipStatus
    from sharing.records.access import permission_id
    from tenants.models import Company, CompanyStatus
    from tenants.services.companies import company_create
    from tenants.services.network import network_ensure
    from tenants.services.provisioning import schema_pool_fill, template_ensure

    settings.CELERY_TASK_ALWAYS_EAGER = False
    if args.reuse:
        measure(args, started, reused=True)
        return
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    network_ensure()
    template_ensure()
    log(f"provisioning {args.companies} companies (real schemas from the pool)")
    schema_pool_fill(size=args.companies)
    for i in range(args.companies):
        owner = User.objects.create_user(
            f"pbm{i:04d}@bench.test", "bench-password-1", full_name=f"PBM {i:04d}"
        )
        slug = numbered_slug("company", i)
        company_create(actor=owner, name=slug.replace("-", " ").title(), slug=slug)
        if (i + 1) % 250 == 0:
            log(f"  {i + 1} companies")
    companies = list(
        Company.objects.filter(status=CompanyStatus.ACTIVE)
        .order_by("slug")
        .values_list("pk", "members_group_id")
    )
    target_pk, target_group = companies[0]
    others = companies[1:]
    log("partnerships: each company with its 20 next neighbours")
    Partnership.objects.bulk_create(
        Partnership(
            requester_id=companies[i][0],
            addressee_id=companies[(i + k) % len(companies)][0],
            status=PartnershipStatus.ACTIVE,
        )
        for i in range(len(companies))
        for k in range(1, 11)
    )

    rng = random.Random(42)
    view, change = permission_id("view_sharedrecord"), permission_id("change_sharedrecord")
    now = datetime.now(UTC)
    target_records = set(rng.sample(range(args.records), args.visible))
    log(
        f"COPY {args.records:,} shared records and ~{args.records * args.entries_per_record:,} entries"
    )
    record_ids = [uuid.uuid4() for _ in range(args.records)]
    activity = [now - timedelta(minutes=rng.randrange(525_600)) for _ in range(args.records)]
    owners = [others[rng.randrange(len(others))] for _ in range(args.records)]
    raw = connection.connection
    with raw.cursor() as cur:
        with cur.copy(
            "COPY sharing_sharedrecord (id, kind, owner_id, source_id, title, stage, payload, restrict_participants,"
            " participants_may_share, version, created_at, updated_at, last_activity_at) FROM STDIN"
        ) as copy:
            for n, rid in enumerate(record_ids):
                stage = STAGES[n % len(STAGES)]
                at = activity[n]
                payload = json.dumps(
                    {
                        "customer_name": f"Customer {n}",
                        "amount": str(rng.randrange(10_000, 2_000_000)),
                        "currency": "USD",
                        "stage": stage,
                    }
                )
                copy.write_row(
                    (
                        rid,
                        "opportunity",
                        owners[n][0],
                        uuid.uuid4(),
                        f"Customer {n}",
                        stage,
                        payload,
                        False,
                        False,
                        1,
                        at,
                        at,
                        at,
                    )
                )
        log("  records loaded")
        entries = 0
        with cur.copy(
            "COPY sharing_sharedrecordgrouppermission (content_object_id, group_id, permission_id, company_id, added_at,"
            " record_kind, record_stage, record_owner_id, record_activity_at, record_archived) FROM STDIN"
        ) as copy:
            for n, rid in enumerate(record_ids):
                owner_pk = owners[n][0]
                picks: list[tuple[int, int]] = []
                while len(picks) < args.entries_per_record:
                    candidate = others[rng.randrange(len(others))]
                    if candidate[0] != owner_pk and candidate not in picks:
                        picks.append(candidate)
                if n in target_records:
                    picks[-1] = (target_pk, target_group)
                keys = ("opportunity", STAGES[n % len(STAGES)], owner_pk, activity[n], False)
                for company_pk, group_pk in picks:
                    copy.write_row((rid, group_pk, view, company_pk, now, *keys))
                    entries += 1
                    if rng.random() < 0.3:
                        copy.write_row((rid, group_pk, change, company_pk, now, *keys))
                if (n + 1) % 200_000 == 0:
                    log(f"  entries for {n + 1:,} records")
        with cur.copy(
            "COPY sharing_participation (record_id, company_id, deal_role, status, next_step, version, updated_at, deal_role_set_by_owner, withheld) FROM STDIN"
        ) as copy:
            for n in target_records:
                copy.write_row(
                    (record_ids[n], owners[n][0], "sourced", "accepted", "", 1, now, False, [])
                )
                copy.write_row((record_ids[n], target_pk, "", "pending", "", 1, now, False, []))
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done after a bulk load
        cursor.execute("SELECT count(*) FROM sharing_sharedrecordgrouppermission")
        perm_rows = cursor.fetchone()[0]
    setup_seconds = time.perf_counter() - started
    log(f"data ready in {setup_seconds:.0f}s: {entries:,} entries in {perm_rows:,} permission rows")

    measure(args, started, reused=False)


def measure(args, started: float, *, reused: bool) -> None:  # type: ignore[no-untyped-def]  # noqa: C901
    import statistics  # noqa: F811

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from guardian.shortcuts import get_objects_for_user

    from identity.models import User
    from sharing.models import SharedRecord, SharedRecordGroupPermission
    from sharing.records.access import shared_records_shared_with, shared_with_page
    from tenants.models import Company

    target = Company.objects.get(slug=numbered_slug("company", 0))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sharing_sharedrecordgrouppermission")
        perm_rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM sharing_sharedrecord")
        record_count = cursor.fetchone()[0]
    entries = SharedRecordGroupPermission.objects.filter(
        permission__codename="view_sharedrecord"
    ).count()
    companies = Company.objects.filter(status="active").count()
    setup_seconds = time.perf_counter() - started
    visible_ids = [
        str(pk)
        for pk in shared_records_shared_with(
            user=User.objects.get(memberships__company=target), company=target
        ).values_list("pk", flat=True)
    ]
    args.visible = len(visible_ids)
    args.records = record_count
    args.companies = companies
    pbm = User.objects.get(memberships__company=target)
    client = Client(HTTP_HOST=f"{target.slug}.{settings.BASE_DOMAIN}")
    client.force_login(pbm)
    stages = STAGES[:4]

    def inbox(i: int) -> None:
        response = client.get(f"/shared/?stage={stages[i % 4]}")
        assert response.status_code == 200

    def detail(i: int) -> None:
        response = client.get(f"/shared/{visible_ids[(i * 37) % len(visible_ids)]}/")
        assert response.status_code == 200

    def api(i: int) -> None:
        response = client.get(f"/api/v1/shared/?shared_with_me=true&stage={stages[i % 4]}")
        assert response.status_code == 200 and len(response.json()["results"]) == 50

    def ours(i: int) -> None:
        records, _ = shared_with_page(user=pbm, company=target, stage=stages[i % 4])
        assert len(records) == 50

    def guardian(i: int) -> None:
        qs = get_objects_for_user(
            pbm,
            "sharing.view_sharedrecord",
            klass=SharedRecord,
            use_groups=True,
            with_superuser=False,
            accept_global_perms=False,
        )
        list(qs.filter(stage=stages[i % 4]).order_by("-last_activity_at")[:50])

    def count_queries(fn) -> str:  # type: ignore[no-untyped-def]
        counts = []
        for i in (0, 1):
            with CaptureQueriesContext(connection) as ctx:
                fn(i)
            counts.append(len(ctx.captured_queries))
        return str(counts[0]) if counts[0] == counts[1] else f"{counts[0]}/{counts[1]}"

    results = []
    for name, fn in (
        ("“Shared with me” page, 50 rows, stage filter", inbox),
        ("shared record page", detail),
        ("API list /api/v1/shared/, 50 rows, stage filter", api),
        ("our inbox selector alone (50 rows)", ours),
        ("guardian get_objects_for_user (50 rows)", guardian),
    ):
        timed(fn, 10)  # warm-up
        queries = count_queries(fn)
        results.append((name, timed(fn, args.requests), queries))
        log(f"  measured {name}")

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    # The same fixed CPU work before and after: this machine's speed drifts between runs, and
    # this figure lets two runs be compared (their p50s scale with it).
    calibration = statistics.median(timed(lambda i: _cpu_work(), 20))
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {version}. "
        f"{args.companies} companies, {args.records:,} shared records, {entries:,} sharing entries "
        f"({perm_rows:,} permission rows); the PBM's company sees {args.visible:,}. {'Reused data' if reused else f'Setup {setup_seconds:.0f}s'}. "
        f"CPU calibration (fixed Python work): {calibration:.1f} ms."
    )
    print("| measurement | requests | p50 ms | p95 ms | max ms | queries |")
    print("|---|---|---|---|---|---|")
    for name, samples, queries in results:
        print(row(name, samples, queries))
    ratio = statistics.median(results[4][1]) / statistics.median(results[3][1])
    print(f"\nguardian's get_objects_for_user / our access selector (p50): {ratio:.1f}×")


if __name__ == "__main__":
    main()

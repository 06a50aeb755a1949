"""Where a page's time goes: cProfile over repeated requests on the data bench/pipeline.py
loaded (run that first). Usage: .venv/bin/python bench/profile_pages.py [inbox|detail|api] [N]"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import os  # noqa: E402

from benchlib import django_against, numbered_slug  # noqa: E402

# the database bench/pipeline.py loads (its module name clashes with our pipeline app)
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ecosystem_bench_pipeline"
)


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "inbox"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    django_against(BENCH_URL)
    from django.conf import settings
    from django.test import Client

    from identity.models import User
    from sharing.records.access import shared_records_shared_with
    from tenants.models import Company

    target = Company.objects.get(slug=numbered_slug("company", 0))
    pbm = User.objects.get(memberships__company=target)
    ids = [
        str(pk)
        for pk in shared_records_shared_with(user=pbm, company=target).values_list("pk", flat=True)[
            :500
        ]
    ]
    client = Client(HTTP_HOST=f"{target.slug}.{settings.BASE_DOMAIN}")
    client.force_login(pbm)
    paths = {
        "inbox": lambda i: (
            f"/shared/?stage={['prospect', 'qualify', 'propose', 'negotiate'][i % 4]}"
        ),
        "detail": lambda i: f"/shared/{ids[(i * 37) % len(ids)]}/",
        "api": lambda i: "/api/v1/shared/?shared_with_me=true&stage=qualify",
    }[which]
    for i in range(20):
        client.get(paths(i))
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        client.get(paths(i))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "tottime"))
    stats.print_stats(35)
    print(out.getvalue())


if __name__ == "__main__":
    main()

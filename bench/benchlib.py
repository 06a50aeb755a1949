"""What every benchmark here shares: timing, percentiles, a fresh database, Django set up
against it (test settings, no template instrumentation), and the table row format."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def recreate_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# Letters only, and none that the look-alike policy folds together (i/l, r of rn, v of vv) or
# that spell a reserved word ("sso"): numbered addresses ("company-0001", "company-0002") are
# look-alikes of each other, lettered ones are not.
_SLUG_LETTERS = "abcdefghjkmnpqstuwxyz"


def numbered_slug(prefix: str, i: int) -> str:
    """A distinct workspace address for number i: eight letters spread from i by a bijective
    multiplicative hash, so two numbers are almost never a letter apart (the look-alike policy
    refuses one-letter slips of an existing address; "company-aab" after "company-aaa" would be
    one). The same i always gives the same address."""
    space = len(_SLUG_LETTERS) ** 8
    n = (i * 2_654_435_761 + 97_531) % space  # the multiplier is coprime with 21**8
    letters = ""
    for _ in range(8):
        n, digit = divmod(n, len(_SLUG_LETTERS))
        letters = _SLUG_LETTERS[digit] + letters
    return f"{prefix}-{letters}"


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def row(name: str, samples: list[float], queries: str) -> str:
    return f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} | {max(samples):.1f} | {queries} |"


def django_against(url: str) -> None:
    """Sets Django up on the benchmark database with the test settings. No
    setup_test_environment(): it instruments every template render (the test client's context
    capture), which a real server does not pay."""
    os.environ.update(
        DATABASE_URL=url,
        CELERY_BROKER_URL="memory://",
        DJANGO_SETTINGS_MODULE="ecosystem.settings.test",
        LOG_LEVEL="ERROR",
    )
    import django

    django.setup()

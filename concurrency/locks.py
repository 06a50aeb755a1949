"""PostgreSQL session advisory locks by name: held across many transactions (a long job's
batches), released when the holder ends or its database session dies with a killed worker.
One holder at a time does a job; a second delivery of it finds the lock taken."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as db


def _key(name: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@contextmanager
def session_lock(name: str) -> Iterator[bool]:
    """Yields whether the lock was free (and is now ours); never waits."""
    key = _key(name)
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (got,) = cursor.fetchone()
    try:
        yield bool(got)
    finally:
        if got:
            with db.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])

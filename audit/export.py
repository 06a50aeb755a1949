"""CSV export of a company's audit history: the network log's events about it and its own log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain

from defusedcsv import csv

from audit.company.models import AuditEntry
from audit.models import AuditEvent

HEADER = [
    "occurred_at",
    "log",
    "actor",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "ip_address",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv_rows(*, company) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Yields CSV lines (header first), newest first within each log. Runs in the company's
    schema so its own log is the one read."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    network = (
        AuditEvent.objects.filter(company=company).select_related("actor").iterator(chunk_size=500)
    )
    own = AuditEntry.objects.select_related("actor").iterator(chunk_size=500)
    for log, row in chain((("network", r) for r in network), (("company", r) for r in own)):
        yield writer.writerow(
            [
                row.occurred_at.isoformat(),
                log,
                row.actor.email if row.actor else "",
                row.action,
                row.target_type,
                row.target_id,
                json.dumps(row.before) if row.before is not None else "",
                json.dumps(row.after) if row.after is not None else "",
                row.ip_address or "",
            ]
        )

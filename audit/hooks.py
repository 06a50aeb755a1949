"""What rooms above the audit log want to hear about what it records. They register when
Django starts (AppConfig.ready); audit imports none of them.

Every change to a company's records and configuration passes through its audit log, so the
log is where a room that tells the outside world about those changes (webhooks) listens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# callback(entry): a company audit entry was just written, inside the transaction that made
# the change (the company's schema is the current one); runs nothing after a rollback if it
# defers its work with transaction.on_commit
_COMPANY_ENTRY_RECORDED: list[Callable[[Any], None]] = []


def on_company_entry_recorded(callback: Callable[[Any], None]) -> None:
    if callback not in _COMPANY_ENTRY_RECORDED:
        _COMPANY_ENTRY_RECORDED.append(callback)


def company_entry_recorded(entry: Any) -> None:
    for callback in _COMPANY_ENTRY_RECORDED:
        callback(entry)

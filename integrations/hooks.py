"""What rooms above integrations want to hear about a company's CRM connections. They
register when Django starts (AppConfig.ready); integrations imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# callback(connection): the connection's syncs keep failing (told once, until a run succeeds);
# runs after the commit, in the connection's company schema
_SYNC_FAILING: list[Callable[[Any], None]] = []


def on_sync_failing(callback: Callable[[Any], None]) -> None:
    if callback not in _SYNC_FAILING:
        _SYNC_FAILING.append(callback)


def sync_failing(connection: Any) -> None:
    for callback in _SYNC_FAILING:
        callback(connection)

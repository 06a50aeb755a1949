"""What rooms above the business schema want to hear about its changes. They register when
Django starts (the business schema imports none of them): the sharing room recomputes which
fields each participant may read when the field policy changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_WITHHOLDING_CHANGED: list[Callable[[Any], None]] = []


def on_withholding_changed(callback: Callable[[Any], None]) -> None:
    """`callback(company)` runs inside the transaction that changed the company's field policy."""
    if callback not in _WITHHOLDING_CHANGED:
        _WITHHOLDING_CHANGED.append(callback)


def withholding_changed(company: Any) -> None:
    for callback in _WITHHOLDING_CHANGED:
        callback(company)

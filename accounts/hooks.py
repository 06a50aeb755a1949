"""What rooms above accounts hear when an account changes (they register in their
AppConfig.ready): the pipeline keeps each opportunity's customer name in step with its
account, so what partners see of a shared deal follows a rename."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_account_changed: list[Callable[..., None]] = []


def on_account_changed(callback: Callable[..., None]) -> None:
    """`callback(actor=, company=, account=)`, inside the account's write transaction."""
    if callback not in _account_changed:
        _account_changed.append(callback)


def account_changed(*, actor: Any, company: Any, account: Any) -> None:
    for callback in _account_changed:
        callback(actor=actor, company=company, account=account)

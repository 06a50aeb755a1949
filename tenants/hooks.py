"""What rooms above tenants and identity want to do when a company comes to life. They
register when Django starts; tenants and identity import none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# callback(company, owner): runs after the transaction that created the company commits
_COMPANY_CREATED: list[Callable[[Any, Any], None]] = []
# redeemer(actor, company, token) -> bool: a new company accepts the invitation it came with
_INVITATION_REDEEMERS: list[Callable[[Any, Any, str], bool]] = []


def on_company_created(callback: Callable[[Any, Any], None]) -> None:
    if callback not in _COMPANY_CREATED:
        _COMPANY_CREATED.append(callback)


def company_created(company: Any, owner: Any) -> None:
    for callback in _COMPANY_CREATED:
        callback(company, owner)


def on_invitation_redeem(redeemer: Callable[[Any, Any, str], bool]) -> None:
    if redeemer not in _INVITATION_REDEEMERS:
        _INVITATION_REDEEMERS.append(redeemer)


def invitation_redeem(*, actor: Any, company: Any, token: str) -> bool:
    """Whether an invitation (a partner's, today) was redeemed for the new company."""
    return any(redeemer(actor, company, token) for redeemer in _INVITATION_REDEEMERS)


# callback(membership): runs inside the transaction that ends a membership, before the row goes
_MEMBERSHIP_ENDED: list[Callable[[Any], None]] = []


def on_membership_ended(callback: Callable[[Any], None]) -> None:
    if callback not in _MEMBERSHIP_ENDED:
        _MEMBERSHIP_ENDED.append(callback)


def membership_ended(membership: Any) -> None:
    """A person left a company (removed, left, or deprovisioned): rooms above end what they
    hold for that person there (identity: sessions and tokens)."""
    for callback in _MEMBERSHIP_ENDED:
        callback(membership)

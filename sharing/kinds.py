"""What sharing needs from the apps that own records, without importing them (apps depend in
one direction: the record apps register here when Django starts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KindHandlers:
    # Writes collaborative changes back into the owner's own record (owner's schema active).
    sync_back: Callable[[Any, dict[str, Any]], None]
    # Creates the adopting company's private copy (adopter's schema active); returns it.
    adopt: Callable[..., Any] | None = None
    # Whether the current schema's company already adopted the record.
    is_adopted: Callable[[Any], bool] | None = None
    # Fields participants with edit rights may change on the shared record.
    collaborative_fields: tuple[str, ...] = ()
    # publish(actor, company, source_id) → SharedRecord: makes the owner's record shareable
    # (owner's schema active); an approved share request calls it.
    publish: Callable[..., Any] | None = None
    # The owner's own page of the record (a URL name taking pk).
    detail_url_name: str = ""


_HANDLERS: dict[str, KindHandlers] = {}


def kind_register(kind: str, handlers: KindHandlers) -> None:
    _HANDLERS[kind] = handlers


def kind_handlers(kind: str) -> KindHandlers | None:
    return _HANDLERS.get(kind)

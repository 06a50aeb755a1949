"""Panels that rooms above accounts add to an account's page (the pipeline: its
opportunities; integrations: its links to the CRM). Each registers at startup with a
function that answers the panel's template and context for one account, or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class AccountPanel:
    template: str
    context: dict[str, Any]


_panels: list[Callable[[HttpRequest, Any], AccountPanel | None]] = []


def account_panel_register(build: Callable[[HttpRequest, Any], AccountPanel | None]) -> None:
    if build not in _panels:
        _panels.append(build)


def account_panels(request: HttpRequest, account: Any) -> list[AccountPanel]:
    return [p for p in (build(request, account) for build in _panels) if p is not None]

"""Optimistic concurrency (invariant 7): one implementation for a company's own records of every
kind, and the conflict a shared record's collaborative edit raises too."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone


class StaleVersion(Exception):
    """Somebody saved first. Carries both sides so the person can decide (no silent overwrite)."""

    def __init__(self, *, theirs: dict[str, Any], yours: dict[str, Any], current_version: int):
        self.theirs, self.yours, self.current_version = theirs, yours, current_version
        changed = ", ".join(sorted(k for k in yours if theirs.get(k) != yours.get(k)))
        super().__init__(
            "Someone else saved this while you were editing"
            + (f" (changed: {changed})" if changed else "")
            + ". Review their values and save again."
        )


M = TypeVar("M", bound=models.Model)


def versioned_update(
    *,
    obj: M,
    changes: dict[str, Any],
    expected_version: int,
    validate: Callable[[M], None],
    snapshot: Callable[[M], dict[str, Any]],
) -> M:
    """Validates `obj` as it would look with `changes`, then saves them only if the row is still
    at `expected_version` (bumping it); otherwise raises StaleVersion with both sides. Call
    inside the caller's transaction; `obj` is refreshed on success."""
    candidate = copy.copy(obj)  # validated as the saved row would look; never saved itself
    for key, value in changes.items():
        setattr(candidate, key, value)
    validate(candidate)
    model = type(obj)
    now = timezone.now()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        **changes, version=F("version") + 1, updated_at=now
    )
    if not updated:
        current = model._default_manager.get(pk=obj.pk)
        raise StaleVersion(
            theirs=snapshot(current), yours=snapshot(candidate), current_version=current.version
        )
    # The row now holds exactly the validated candidate at the next version: no read-back.
    for key, value in changes.items():
        setattr(obj, key, getattr(candidate, key, value))
    obj.version = expected_version + 1
    obj.updated_at = now
    return obj

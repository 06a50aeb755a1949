from __future__ import annotations

from typing import Any


class EditConflict(Exception):
    """Somebody saved the record after this edit started. Carries both sides so the person can
    see what changed and decide (invariant 7: no silent last-write-wins)."""

    def __init__(self, *, theirs: dict[str, Any], yours: dict[str, Any], current_version: int):
        self.theirs = theirs
        self.yours = yours
        self.current_version = current_version
        fields = ", ".join(sorted(k for k in yours if theirs.get(k) != yours.get(k)))
        super().__init__(
            "Someone else saved this record while you were editing it"
            + (f" (changed: {fields})" if fields else "")
            + ". Review their values and save again."
        )

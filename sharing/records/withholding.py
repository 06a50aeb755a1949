"""Fields an owner's sharing policy withholds from some participants (by the partner's type in
the owner's eyes, or by the part the owner gave it in the deal).

The network copy of a record holds every field the owner shares with anyone; each
participation carries the list of fields its company may not read (`Participation.withheld`,
computed in the owner's schema by sharing.records.services.withholding). Readers never see a withheld
field because the access function strips it from every record it loads for a viewer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models.query import ModelIterable

CUSTOM_PREFIX = "custom."


def payload_without(payload: Mapping[str, Any], withheld: Iterable[str]) -> dict[str, Any]:
    """`payload` minus the withheld built-in fields and custom values."""
    withheld = set(withheld or ())
    if not withheld:
        return dict(payload)
    custom = {
        name.removeprefix(CUSTOM_PREFIX) for name in withheld if name.startswith(CUSTOM_PREFIX)
    }
    out = {key: value for key, value in payload.items() if key not in withheld}
    if custom and isinstance(out.get("custom"), list):
        out["custom"] = [item for item in out["custom"] if item.get("key") not in custom]
        if not out["custom"]:
            out.pop("custom")
    return out


def changes_without(data: Mapping[str, Any], withheld: Iterable[str]) -> dict[str, Any]:
    """An activity event's before/after values minus withheld fields."""
    withheld = set(withheld or ())
    if not withheld:
        return dict(data)
    out = dict(data)
    for side in ("before", "after"):
        if isinstance(out.get(side), dict):
            out[side] = {k: v for k, v in out[side].items() if k not in withheld}
    return out


class ViewerPayloadIterable(ModelIterable):
    """Shared records as the viewing company may read them: the access function annotates each
    row with `viewer_withheld` and this strips those fields before any caller sees the object."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        for record in super().__iter__():
            withheld = getattr(record, "viewer_withheld", None)
            if withheld:
                # (a deferred payload is loaded now, so it can never be read unstripped later)
                record.payload = payload_without(record.payload, withheld)
            yield record

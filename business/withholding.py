"""Which fields an owner's field policy withholds from a participant: the rule itself, read by
the policy pages and applied by the sharing room to each participation (sharing.records.
services.withholding). Pure functions over the policy's data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Policy keys for "we haven't classified this partner" and "we haven't set its part in the
# deal"; neither can collide with a vocabulary term key (those start with a letter).
UNCLASSIFIED = "_unclassified"
UNASSIGNED = "_unassigned"


def withheld_for(
    *, rules: Mapping[str, Mapping[str, Any]], partner_type: str, deal_role: str
) -> list[str]:
    """The fields of one record kind's rules ({field: {"partner_types": [...], "deal_roles":
    [...]}}) withheld from a participant of this type (our classification, "" if none) and
    part in the deal ("" unless the owner set it)."""
    type_key = partner_type or UNCLASSIFIED
    role_key = deal_role or UNASSIGNED
    return sorted(
        field
        for field, audience in rules.items()
        if type_key in (audience.get("partner_types") or ())
        or role_key in (audience.get("deal_roles") or ())
    )

"""What sharing asks of the rooms built on it, and its network part of its records part,
registered when Django starts.

Sharing sits below the rooms that hold a company's own view of its partners (`relationships`:
how it classifies each partner) and its approval policy (`approvals`). Sharing must consult
both — the field policy withholds by partner type, and no share may go around the approval
policy — without importing them, so each registers its answer here in its AppConfig.ready.
A hook nobody registered answers as if the room did not exist: no partner is classified, and
no share needs approval.

Inside sharing, the network (partnerships) sits below the records (who is on a record's
list): ending a partnership takes the two companies off each other's lists through
`partnership_ended`, which the records part registers.

Rooms above the record kinds hear what happens on shared records through `record_event`
(webhooks tells each company's endpoints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# partner_types(partner_ids) -> {partner_id: type key or ""}, read in the current (owner's) schema
_partner_types: list[Callable[[list[int]], dict[int, str]]] = []
# gate(actor_membership, record, partner): raises to stop a partner being added to a list
_share_gates: list[Callable[[Any, Any, Any], None]] = []
# actions(request, record, is_owner) -> [RecordAction]: buttons rooms above add to a shared
# record's page (integrations: "Add to my CRM")
_record_actions: list[Callable[[Any, Any, bool], list[Any]]] = []


def on_partner_types(provider: Callable[[list[int]], dict[int, str]]) -> None:
    _partner_types[:] = [provider]


def partner_types_of(partner_ids: list[int]) -> dict[int, str]:
    """How the current schema's company classifies each partner ("" when it hasn't)."""
    if not _partner_types:
        return dict.fromkeys(partner_ids, "")
    return _partner_types[0](partner_ids)


def on_share_gate(gate: Callable[[Any, Any, Any], None]) -> None:
    if gate not in _share_gates:
        _share_gates.append(gate)


def share_gates_check(*, actor_membership: Any, record: Any, partner: Any) -> None:
    """Runs every registered gate before a partner goes on a record's list (each may raise)."""
    for gate in _share_gates:
        gate(actor_membership, record, partner)


# ended(actor, company_a, company_b) -> how many sharing-list entries it removed; runs inside
# the transaction that ends the partnership (sharing.records registers it in sharing/apps.py)
_partnership_ended: list[Callable[[Any, Any, Any], int]] = []


def on_partnership_ended(callback: Callable[[Any, Any, Any], int]) -> None:
    if callback not in _partnership_ended:
        _partnership_ended.append(callback)


def partnership_ended(*, actor: Any, company_a: Any, company_b: Any) -> int:
    """Takes each company off the lists of the other's records; answers how many entries went."""
    return sum(callback(actor, company_a, company_b) for callback in _partnership_ended)


def on_record_actions(provider: Callable[[Any, Any, bool], list[Any]]) -> None:
    """`provider(request, record, is_owner)` answers buttons for the record's page: objects
    with `url`, `label` and `testid` (a POST each)."""
    if provider not in _record_actions:
        _record_actions.append(provider)


def record_actions(request: Any, record: Any, *, is_owner: bool) -> list[Any]:
    return [
        action for provider in _record_actions for action in provider(request, record, is_owner)
    ]


# record_event(event) -> None: something happened on a shared record (its activity feed got an
# event, its published fields changed, a company was taken off its list). Runs inside the
# transaction that made it happen; a room above (webhooks) reacts after the commit.
_record_events: list[Callable[[Any], None]] = []


@dataclass(frozen=True)
class RecordEvent:
    """What happened on a shared record, by ids: who reads it is the access function's
    business, asked again by whoever acts on it (invariant 3)."""

    record_id: Any
    # the company whose person (or process) did it, and that person (None: the system)
    company_id: int
    actor_id: int | None
    # the activity verb ("sharing.shared", "record.stage_changed", "comment.added", …) or
    # "record.updated" for published fields that changed
    verb: str
    data: dict[str, Any] = field(default_factory=dict)


def on_record_event(callback: Callable[[Any], None]) -> None:
    if callback not in _record_events:
        _record_events.append(callback)


def record_event(event: RecordEvent) -> None:
    for callback in _record_events:
        callback(event)

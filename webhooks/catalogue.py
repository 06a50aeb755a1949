"""The events a company's webhook endpoints can subscribe to: one list, documented here and on
the endpoint form, each with where in the code it comes from.

- Shared records ("network"): something happened on a record on the network. Each company
  that reads the record as a whole (it owns it, or its whole company is on the list) and may
  read that event in the record's feed is told, with the record as it may see it. The source
  is the sharing room's `record_event` hook (every activity event of a record, the publish
  step's changed fields, a partnership ending).
- The company's own records ("own"): created, changed or archived, from its audit log
  (`audit.hooks`), told to that company only.
- Integrations: a CRM connection's syncs keep failing (integrations' hook)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventType:
    key: str
    label: str
    description: str
    group: str
    # "network": about a shared record; "own": about the company's own records or setup
    source: str


NETWORK, OWN = "network", "own"
SHARED, RECORDS, INTEGRATIONS = "Shared records", "Your records", "Integrations"

# The test event an admin sends from an endpoint's page: nobody subscribes to it.
TEST_EVENT = "webhook.test"

_KINDS = (
    ("opportunity", "opportunity", "an opportunity"),
    ("account", "customer account", "a customer account"),
    ("solution", "solution", "a solution"),
    ("marketing_plan", "marketing plan", "a marketing plan"),
)

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        "record.shared",
        "Record shared",
        "A partner shared a record with you, or a company was added to the list of one you "
        "take part in (yours included). data.partner names the company added, data.role its role.",
        SHARED,
        NETWORK,
    ),
    EventType(
        "record.role_changed",
        "Role on a shared record changed",
        "A company's role on a shared record changed (viewer, contributor, manager).",
        SHARED,
        NETWORK,
    ),
    EventType(
        "record.unshared",
        "Record unshared",
        "A company was taken off a shared record's list, or a partnership ended. When the "
        "company is yours, the event carries only the record's id, kind, title and owner.",
        SHARED,
        NETWORK,
    ),
    EventType(
        "record.stage_changed",
        "Stage changed",
        "A shared record moved to another stage: by its owner, its owner's CRM or a partner.",
        SHARED,
        NETWORK,
    ),
    EventType(
        "record.updated",
        "Shared fields changed",
        "Fields of a shared record that you can see changed (a stage move alone is "
        "record.stage_changed). data.changed lists their names.",
        SHARED,
        NETWORK,
    ),
    EventType(
        "comment.added",
        "Comment added",
        "Someone commented on a shared record's thread that you can read.",
        SHARED,
        NETWORK,
    ),
    *(
        EventType(
            f"{key}.{verb}",
            f"{label.capitalize()} {past}",
            f"{article.capitalize()} of yours was {past}"
            + (" (data.changed lists the fields)." if verb == "updated" else "."),
            RECORDS,
            OWN,
        )
        for key, label, article in _KINDS
        for verb, past in (("created", "created"), ("updated", "changed"), ("archived", "archived"))
    ),
    EventType(
        "sync.failed",
        "CRM sync failing",
        "A CRM connection's syncs keep failing (several runs in a row); sent once, until a run "
        "succeeds again.",
        INTEGRATIONS,
        OWN,
    ),
)
BY_KEY: dict[str, EventType] = {e.key: e for e in EVENT_TYPES}
KEYS: tuple[str, ...] = tuple(BY_KEY)
# the company's own record kinds whose audit actions become events (the action is the type)
OWN_RECORD_KINDS: tuple[str, ...] = tuple(key for key, _, _ in _KINDS)


def event_type_label(key: str) -> str:
    if key == TEST_EVENT:
        return "Test event"
    spec = BY_KEY.get(key)
    return spec.label if spec is not None else key


def grouped() -> list[tuple[str, list[EventType]]]:
    """(group, its types) in catalogue order: what the endpoint form shows."""
    groups: dict[str, list[EventType]] = {}
    for spec in EVENT_TYPES:
        groups.setdefault(spec.group, []).append(spec)
    return list(groups.items())


def network_types_of(verb: str, data: dict) -> list[str]:
    """The event types a shared record's event (sharing.hooks.RecordEvent's verb and data)
    becomes."""
    if verb == "sharing.shared":
        return ["record.shared"]
    if verb == "sharing.role_changed":
        return ["record.role_changed"]
    if verb == "sharing.removed":
        return ["record.unshared"]
    if verb == "comment.added":
        return ["comment.added"]
    if verb == "record.stage_changed":
        # a partner's edit can move the stage and change other fields at once
        return ["record.stage_changed"] + (["record.updated"] if changed_of(data) else [])
    if verb == "record.updated":
        return ["record.updated"] if changed_of(data) else []
    return []


def changed_of(data: dict) -> list[str]:
    """The names of the fields an event says changed, a stage move left out."""
    names = data.get("changed")
    if names is None:
        after = data.get("after")
        names = list(after) if isinstance(after, dict) else []
    return [str(n) for n in names if n != "stage"]

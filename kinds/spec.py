"""What a record kind is: one frozen spec per kind, built by the kind's own app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SharingHandlers:
    """What the sharing room needs from a kind whose records go on the network."""

    # publish(actor, company, source_id) → SharedRecord: makes the owner's record shareable
    # (owner's schema active); an approved share request calls it.
    publish: Callable[..., Any]
    # Writes collaborative changes back into the owner's own record (owner's schema active).
    sync_back: Callable[[Any, dict[str, Any]], None]
    # adopt(record, actor, company=adopter): the adopting company's private copy (adopter's
    # schema active); returns it.
    adopt: Callable[..., Any] | None = None
    # Whether the current schema's company already adopted the record.
    is_adopted: Callable[[Any], bool] | None = None
    # Fields participants with edit rights may change on the shared record.
    collaborative_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metrics:
    """What a kind offers the metrics room: built-in numbers (name → (label, unit)) and
    groupings (name → label); `open_exclude` leaves out closed records ("open deals only")."""

    numbers: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    groupings: Mapping[str, str] = field(default_factory=dict)
    open_exclude: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ApiRoute:
    """One collection of the kind in /api/v1/ (the viewset by import path, resolved when the
    API's URLs load, so declaring a kind imports none of its API code)."""

    prefix: str
    viewset: str
    basename: str


@dataclass(frozen=True)
class RecordKind:
    """One kind of record a company keeps in its schema."""

    # The stored value (SharedRecord.kind, FieldDefinition.object_type, ...); never changes.
    key: str
    label: str
    plural: str
    # Prefix of the names of this kind's indexes on custom fields (PostgreSQL's 63 characters).
    short: str
    # The company-schema model holding the records and their `custom` values.
    model: type | None = None
    # Built-in fields formulas, rules and stage requirements may read.
    formula_fields: tuple[str, ...] = ()
    # The network default of what may leave the company (the owner's policy narrows it); empty
    # for kinds that are never shared.
    shareable_fields: tuple[str, ...] = ()
    # Shared with every partner whatever the policy: what recognises the record at all.
    always_shared: frozenset[str] = frozenset()
    # The money field approval thresholds compare ("" if none).
    amount_field: str = ""
    # Whether the kind moves through the network's canonical stages (stage requirements).
    has_stages: bool = False
    # Whether partners play a part in its deals (sourced / influenced / fulfilling): the field
    # policy can then withhold by part.
    has_deal_roles: bool = False
    metrics: Metrics = field(default_factory=Metrics)
    # URL names of the owner's pages.
    list_url_name: str = ""
    detail_url_name: str = ""
    # Name of the kind's component in the OpenAPI document (its custom_fields get typed there).
    api_component: str = ""
    # The kind's pages (a URLconf module, included on company hosts) and its API collections.
    urls: str = ""
    api: tuple[ApiRoute, ...] = ()
    sharing: SharingHandlers | None = None

    @property
    def is_shared(self) -> bool:
        return bool(self.shareable_fields) and self.sharing is not None

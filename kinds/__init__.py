"""Record kinds, each declared once (opportunity, solution, marketing plan, partner
relationship, and the kinds later rooms add).

A kind's app describes it with a `RecordKind` spec and registers it when Django starts; every
room that needs per-kind behaviour (the business schema, sharing, approvals, reports, the API
document) reads the registry instead of keeping its own table. This package sits just above
tenants and identity and imports no room of the product."""

from kinds.registry import (
    kind_choices,
    kind_get,
    kind_of_model,
    kind_register,
    kinds_all,
    kinds_shared,
    record_type_choices,
    record_type_keys,
    record_type_validate,
)
from kinds.spec import ApiRoute, Metrics, RecordKind, SharingHandlers

__all__ = [
    "ApiRoute",
    "Metrics",
    "RecordKind",
    "SharingHandlers",
    "kind_choices",
    "kind_get",
    "kind_of_model",
    "kind_register",
    "kinds_all",
    "kinds_shared",
    "record_type_choices",
    "record_type_keys",
    "record_type_validate",
]

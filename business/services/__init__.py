"""Changes to a company's business schema, by subject: custom fields (`fields`), vocabularies
and terms (`vocabularies`). Each one is a transaction, validated, and written to the
company's audit log with before/after. Nothing here deletes values: renaming changes a label
(values are keyed by the immutable key), retiring hides, and a type change converts what
converts and keeps what doesn't in the audit entry, after the admin confirmed the count."""

from business.services.fields import (
    FIELD_EDITABLE,
    MAX_FIELDS_PER_TYPE,
    TypeChangeNeedsConfirmation,
    field_create,
    field_retire,
    field_update,
    schedule_derived_recompute,
    typed_values_of,
)
from business.services.vocabularies import (
    CANONICAL_FIXED,
    term_add,
    term_retire,
    term_update,
    vocabulary_create,
)

__all__ = [
    "CANONICAL_FIXED",
    "FIELD_EDITABLE",
    "MAX_FIELDS_PER_TYPE",
    "TypeChangeNeedsConfirmation",
    "field_create",
    "field_retire",
    "field_update",
    "schedule_derived_recompute",
    "term_add",
    "term_retire",
    "term_update",
    "typed_values_of",
    "vocabulary_create",
]

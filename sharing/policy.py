"""The default share policy: which fields of a company's record may leave its schema.

Policies are data (invariant: "policies are data, not code"); issue #4 moves them into each
company's business schema. Until then this is the network default, and the publish step is the
only reader of it."""

from sharing.models import RecordKind

SHAREABLE_FIELDS: dict[str, tuple[str, ...]] = {
    RecordKind.OPPORTUNITY: (
        "customer_name",
        "customer_domain",
        "amount",
        "currency",
        "close_date",
        "stage",
        "motion",
        "next_step",
    ),
    RecordKind.SOLUTION: ("name", "summary", "categories", "industries", "regions", "status"),
    RecordKind.MARKETING_PLAN: (
        "name",
        "objective",
        "period_start",
        "period_end",
        "budget",
        "currency",
        "campaigns",
    ),
}


def shareable_fields(*, company, kind: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return SHAREABLE_FIELDS[kind]

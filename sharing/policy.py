"""The default share policy: which fields of a company's record may leave its schema.

Policies are data (invariant: "policies are data, not code"): this is the network default,
narrowed by each company's sharing policy (business.models.SharingPolicy, in its schema).
The publish step is the only reader."""

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
    """The network default minus what the company's sharing policy keeps private (read from
    `company`'s own schema: the publish step runs there)."""
    from business.policy import sharing_policy
    from tenants.schemas import company_schema

    with company_schema(company):
        private = set(sharing_policy().private_core_fields.get(kind, []))
    return tuple(f for f in SHAREABLE_FIELDS[kind] if f not in private)

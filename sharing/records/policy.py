"""The default share policy: which fields of a company's record may leave its schema.

Policies are data (invariant: "policies are data, not code"): the network default is each
kind's `shareable_fields` (kinds registry), narrowed by each company's sharing policy
(business.models.SharingPolicy, in its schema). The publish step is the only reader."""

from business.policy import sharing_policy
from kinds import kind_get
from sharing.records.cross_schema import owner_schema_unscoped


def shareable_fields(*, company, kind: str) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """The network default minus what the company's sharing policy keeps private (read from
    `company`'s own schema: the publish step runs there)."""
    spec = kind_get(kind)
    if spec is None:
        return ()
    with owner_schema_unscoped(company):
        private = set(sharing_policy().private_core_fields.get(kind, []))
    return tuple(f for f in spec.shareable_fields if f not in private)

"""Our record of a partner, declared as a kind: it carries custom fields and metrics, and is
never shared."""

from __future__ import annotations

from kinds import Metrics, RecordKind
from partners.relationships.models import PartnerRelationship

PARTNER = RecordKind(
    key=PartnerRelationship.kind_key,
    label="Partner relationship",
    plural="Partner relationships",
    short="x",  # the name its custom-field indexes have always had
    model=PartnerRelationship,
    formula_fields=("partner_type",),
    metrics=Metrics(groupings={"partner_type": "Partner type", "manager": "Partner manager"}),
    api_component="PartnerRelationship",
)

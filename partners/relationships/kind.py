"""Our record of a partner, declared as a kind: it carries custom fields and metrics, and is
never shared."""

from __future__ import annotations

from kinds import ApiRoute, Metrics, RecordKind
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
    # its pages are the partner pages (partners.urls)
    api=(
        ApiRoute(
            "partner-relationships",
            "partners.relationships.api.PartnerRelationshipViewSet",
            "api-partner-relationship",
        ),
    ),
)

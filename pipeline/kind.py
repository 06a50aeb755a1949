"""The opportunity, declared once for every room that handles kinds of records."""

from __future__ import annotations

from kinds import ApiRoute, Metrics, RecordKind, SharingHandlers
from pipeline.models import Opportunity
from pipeline.selectors import opportunity_get
from pipeline.services import EDITABLE, opportunity_publish
from pipeline.sharing_handlers import (
    opportunity_adopt,
    opportunity_is_adopted,
    opportunity_sync_back,
)


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    return opportunity_publish(
        actor=actor, company=company, opportunity=opportunity_get(pk=source_id)
    )


OPPORTUNITY = RecordKind(
    key=Opportunity.kind_key,
    label="Opportunity",
    plural="Opportunities",
    short="opp",
    model=Opportunity,
    # formulas read the editable built-in fields, never the private notes (nor the id an
    # integration keeps the deal by)
    formula_fields=tuple(
        f for f in EDITABLE if f not in ("private_notes", "custom", "external_id")
    ),
    shareable_fields=(
        "name",
        "customer_name",
        "customer_domain",
        "amount",
        "currency",
        "close_date",
        "stage",
        "motion",
        "next_step",
    ),
    # the name is the shared record's title, so no policy can keep it back
    always_shared=frozenset({"name", "customer_name", "stage"}),
    amount_field="amount",
    has_stages=True,
    has_deal_roles=True,
    metrics=Metrics(
        numbers={"amount": ("Amount", "money")},
        groupings={
            "stage": "Stage",
            "motion": "Motion",
            "owner": "Owner",
            "currency": "Currency",
            "close_month": "Close month",
            "close_quarter": "Close quarter (fiscal)",
        },
        open_exclude={"stage__in": ["won", "lost"]},
    ),
    list_url_name="opportunity_list",
    detail_url_name="opportunity_detail",
    api_component="Opportunity",
    urls="pipeline.urls",
    api=(ApiRoute("opportunities", "pipeline.api.OpportunityViewSet", "api-opportunity"),),
    sharing=SharingHandlers(
        publish=_publish,
        sync_back=opportunity_sync_back,
        adopt=opportunity_adopt,
        is_adopted=opportunity_is_adopted,
        collaborative_fields=("stage", "close_date", "next_step"),
    ),
)

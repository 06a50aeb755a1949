"""The marketing plan, declared once for every room that handles kinds of records."""

from __future__ import annotations

from kinds import ApiRoute, Metrics, RecordKind, SharingHandlers
from marketing.models import MarketingPlan
from marketing.selectors import plan_get
from marketing.services import plan_publish


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    return plan_publish(actor=actor, company=company, plan=plan_get(pk=source_id))


MARKETING_PLAN = RecordKind(
    key=MarketingPlan.kind_key,
    label="Marketing plan",
    plural="Marketing plans",
    short="plan",
    model=MarketingPlan,
    formula_fields=("name", "objective", "period_start", "period_end", "budget", "currency"),
    shareable_fields=(
        "name",
        "objective",
        "period_start",
        "period_end",
        "budget",
        "currency",
        "campaigns",
    ),
    always_shared=frozenset({"name"}),
    amount_field="budget",
    metrics=Metrics(
        numbers={"budget": ("Budget", "money")},
        groupings={
            "owner": "Owner",
            "currency": "Currency",
            "period_quarter": "Start quarter (fiscal)",
        },
    ),
    list_url_name="plan_list",
    detail_url_name="plan_detail",
    api_component="MarketingPlan",
    urls="marketing.urls",
    api=(ApiRoute("marketing-plans", "marketing.api.MarketingPlanViewSet", "api-marketing-plan"),),
    sharing=SharingHandlers(publish=_publish, sync_back=lambda record, changes: None),
)

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from marketing.models import MarketingPlan

SORTS = {
    "-period_start": "Latest period first",
    "period_start": "Earliest period first",
    "name": "Name (A–Z)",
    "-budget": "Largest budget",
}


def plans_of_company(*, query: str = "", sort: str = "-period_start") -> QuerySet[MarketingPlan]:
    qs = MarketingPlan.objects.filter(archived_at__isnull=True).annotate(
        campaign_count=Count("campaigns", distinct=True),
        open_tasks=Count("tasks", filter=Q(tasks__done=False), distinct=True),
    )
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(objective__icontains=query))
    return qs.order_by(sort if sort in SORTS else "-period_start", "pk")


def plan_get(*, pk) -> MarketingPlan:  # type: ignore[no-untyped-def]
    try:
        return MarketingPlan.objects.get(pk=pk)
    except (
        MarketingPlan.DoesNotExist,
        ValueError,
        ValidationError,
    ) as exc:  # malformed id = missing
        raise Http404("No such marketing plan.") from exc

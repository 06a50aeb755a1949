"""Reads of a company's webhooks (its schema): another company's endpoint simply isn't there,
so every lookup by id is a 404 for anyone else."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ui.pagination import MAX_PAGE
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

LOG_PAGE = 50
# what the delivery log filters by: the states, and "failed" attempts still being retried
LOG_FILTERS = {
    "": "All",
    DeliveryState.SUCCEEDED: "Delivered",
    "retrying": "Retrying",
    DeliveryState.FAILED: "Failed",
    DeliveryState.NOT_SENT: "Not sent",
}
# the subscriptions of a company, network-wide (the fan-out of a shared record's events runs
# in whatever schema the change was made in): keyed by schema name, refreshed on every change
SUBSCRIPTIONS_KEY = "network:webhooks:types:{schema}"
SUBSCRIPTIONS_TTL = 300


def _get(qs: QuerySet, pk: Any, what: str) -> Any:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404(f"No such {what}.") from exc


def endpoints_of_company() -> QuerySet[WebhookEndpoint]:
    """The company's endpoints with their last day's counts, in one query."""
    since = timezone.now() - dt.timedelta(days=1)
    recent = Q(deliveries__created_at__gte=since)
    return WebhookEndpoint.objects.annotate(
        delivered_day=Count(
            "deliveries", filter=recent & Q(deliveries__state=DeliveryState.SUCCEEDED)
        ),
        failed_day=Count("deliveries", filter=recent & Q(deliveries__state=DeliveryState.FAILED)),
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
    ).order_by("created_at")


def endpoint_get(*, pk: uuid.UUID | str) -> WebhookEndpoint:
    return _get(WebhookEndpoint.objects.all(), pk, "endpoint")


def delivery_get(*, endpoint: WebhookEndpoint, pk: Any) -> WebhookDelivery:
    return _get(
        WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event"),
        pk,
        "delivery",
    )


def deliveries_page(
    *, endpoint: WebhookEndpoint, status: str = "", page: int = 1
) -> tuple[list[WebhookDelivery], bool]:
    """One page of the endpoint's log, newest first, and whether an older page exists
    (one row more is read instead of counting)."""
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
    if status == "retrying":
        qs = qs.filter(state=DeliveryState.PENDING, attempts__gt=0)
    elif status in DeliveryState.values:
        qs = qs.filter(state=status)
    page = min(max(page, 1), MAX_PAGE)
    start = (page - 1) * LOG_PAGE
    rows = list(qs.order_by("-created_at", "-pk")[start : start + LOG_PAGE + 1])
    return rows[:LOG_PAGE], len(rows) > LOG_PAGE


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(delivery=delivery).order_by("-number")[:50])


def subscribed_types() -> set[str]:
    """Every event type an enabled endpoint of the current company subscribes to (cached,
    network-wide key; refreshed by every change to the company's endpoints)."""
    key = SUBSCRIPTIONS_KEY.format(schema=connection.schema_name)
    cached = cache.get(key)
    if cached is not None:
        return set(cached)
    types: set[str] = set()
    for listed in WebhookEndpoint.objects.filter(enabled=True).values_list(
        "event_types", flat=True
    ):
        types.update(t for t in listed or () if isinstance(t, str))
    cache.set(key, sorted(types), SUBSCRIPTIONS_TTL)
    return types


def subscribed_types_cached(schema_name: str) -> set[str] | None:
    """What another schema's company subscribes to, if the cache knows (None: ask it)."""
    cached = cache.get(SUBSCRIPTIONS_KEY.format(schema=schema_name))
    return None if cached is None else set(cached)


def subscriptions_forget() -> None:
    cache.delete(SUBSCRIPTIONS_KEY.format(schema=connection.schema_name))


def endpoints_subscribed(event_type: str) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(enabled=True, event_types__contains=[event_type]))

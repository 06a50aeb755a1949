"""Background work of the webhooks (autodiscovered by Celery): each delivery's send, the
receipt of a shared record's event in a company's schema, the sweep that sends what is due
(retries waiting longer than a broker should hold a message, and anything a lost worker
left behind) and the purge of old logs."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tenants.models import Company, CompanyStatus
from tenants.schemas import company_schema
from webhooks.delivery import webhook_delivery_send
from webhooks.events import network_event_receive
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEvent

__all__ = ["network_event_receive", "webhook_deliveries_due", "webhook_delivery_send"]

SWEEP_BATCH = 500


@shared_task(ignore_result=True)
def webhook_deliveries_due() -> int:
    """Queues a send for every due, unclaimed delivery of every active company (beat, every
    minute); answers how many were queued. A send that finds it taken or done does nothing."""
    queued = 0
    now = timezone.now()
    for company in Company.objects.filter(status=CompanyStatus.ACTIVE).only("schema_name"):
        with company_schema(company.schema_name):
            due = (
                WebhookDelivery.objects.filter(
                    state=DeliveryState.PENDING, next_attempt_at__lte=now
                )
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                .order_by("next_attempt_at")
                .values_list("pk", flat=True)[:SWEEP_BATCH]
            )
            for pk in due:
                webhook_delivery_send.apply_async(
                    args=[str(pk)], headers={"_schema_name": company.schema_name}
                )
                queued += 1
    return queued


@shared_task(ignore_result=True)
def webhook_logs_purge() -> int:
    """Forgets events (with their deliveries and attempts) older than
    WEBHOOKS_RETENTION_DAYS whose deliveries are all finished (beat, daily)."""
    cutoff = timezone.now() - dt.timedelta(days=settings.WEBHOOKS_RETENTION_DAYS)
    removed = 0
    for company in Company.objects.filter(status=CompanyStatus.ACTIVE).only("schema_name"):
        with company_schema(company.schema_name):
            old = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(
                deliveries__state=DeliveryState.PENDING
            )
            removed += old.delete()[1].get("webhooks.WebhookEvent", 0)
    return removed

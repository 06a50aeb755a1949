"""Sending one delivery: the Celery task (late acknowledgement; idempotent by webhook-id: a
delivery is claimed before each attempt, so a duplicate message or a second worker does
nothing), the signed HTTP request, and what follows its answer — success, a retry with
backoff, giving up, and switching an endpoint off after sustained failure.

Right before each attempt the event is built again for the company (webhooks.payloads): a
record it can no longer see is not sent, and the log says so. The endpoint's address is
checked again too; redirects are never followed; timeouts are short; only the first bytes of
the answer are read and kept."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import time
from typing import Any

import requests
from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks import Webhook

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from tenants.domains import company_url
from tenants.models import Company, CompanyStatus, Membership, Role
from webhooks.addresses import endpoint_url_check
from webhooks.catalogue import TEST_EVENT, event_type_label
from webhooks.models import (
    AttemptTrigger,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.payloads import NotSent, body_bytes
from webhooks.selectors import subscriptions_forget

log = logging.getLogger(__name__)

EXCERPT_BYTES = 2048
USER_AGENT = "EcosystemCloud-Webhooks/1"
# a claim outlives the longest attempt (connect + read timeouts) with room to spare
CLAIM = dt.timedelta(seconds=90)
# waits up to this are queued with a countdown; longer ones are the sweep's (webhooks.tasks):
# a broker holds an unacknowledged delayed message only so long (Redis' visibility timeout)
COUNTDOWN_MAX = 600
RETRYABLE = {408, 425, 429}


def _claim(delivery_id: Any) -> bool:
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )


def signature_header(endpoint: WebhookEndpoint, msg_id: str, at: dt.datetime, body: bytes) -> str:
    """v1 signatures, space-separated: the current secret's, and during a rotation's grace
    period the previous one's too."""
    signatures = [Webhook(endpoint.secret).sign(msg_id, at, body)]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > at
    ):
        signatures.append(Webhook(endpoint.previous_secret).sign(msg_id, at, body))
    return " ".join(signatures)


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def retry_wait(attempt: int, retry_after: float | None) -> float | None:
    """Seconds to wait after failed attempt number `attempt` (1-based), or None: give up.
    The schedule grows roughly exponentially over about a day; each wait is jittered by
    ±20% so endpoints that failed together are not all retried at one instant, and a
    Retry-After the endpoint sent is a floor (capped)."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    if attempt > len(schedule):
        return None
    wait = schedule[attempt - 1] * random.uniform(0.8, 1.2)  # noqa: S311 (jitter, not a secret)
    if retry_after is not None:
        wait = max(wait, min(retry_after, settings.WEBHOOKS_RETRY_AFTER_MAX_SECONDS))
    return wait


class _Answer:
    def __init__(self) -> None:
        self.status: int | None = None
        self.excerpt = ""
        self.error = ""
        self.retry_after: float | None = None
        self.retryable = True
        self.succeeded = False
        self.duration_ms = 0


def _post(endpoint: WebhookEndpoint, headers: dict[str, str], body: bytes) -> _Answer:
    answer = _Answer()
    session = requests.Session()
    session.trust_env = False  # no proxy or .netrc from the worker's environment
    if settings.WEBHOOKS_EGRESS_PROXY:
        session.proxies = {
            "http": settings.WEBHOOKS_EGRESS_PROXY,
            "https": settings.WEBHOOKS_EGRESS_PROXY,
        }
    started = time.monotonic()
    try:
        with session.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as response:
            answer.status = response.status_code
            raw = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
            answer.excerpt = raw.decode("utf-8", errors="replace")
            answer.retry_after = retry_after_seconds(
                response.headers.get("Retry-After"), timezone.now()
            )
    except requests.Timeout:
        answer.error = (
            f"The endpoint did not answer within {settings.WEBHOOKS_READ_TIMEOUT:g} seconds."
        )
    except requests.ConnectionError:
        answer.error = "The endpoint could not be reached (connection refused or dropped)."
    except requests.RequestException as exc:
        answer.error = f"The request failed: {type(exc).__name__}."
    finally:
        session.close()
    answer.duration_ms = round((time.monotonic() - started) * 1000)
    status = answer.status
    if status is None:
        return answer
    if 200 <= status < 300:
        answer.succeeded = True
    elif 300 <= status < 400:
        answer.error = f"The endpoint answered {status}, a redirect, which we don't follow."
        answer.retryable = False
    elif status in RETRYABLE or status >= 500:
        answer.error = f"The endpoint answered {status}."
        if status == 429:
            answer.error = "The endpoint answered 429: too many requests."
    else:
        answer.error = (
            f"The endpoint answered {status}, a refusal we don't retry: fix the endpoint, then "
            "resend."
        )
        answer.retryable = False
    return answer


def _company() -> Company | None:
    return Company.objects.filter(
        schema_name=connection.schema_name, status=CompanyStatus.ACTIVE
    ).first()


def _not_sent(delivery: WebhookDelivery, number: int, trigger: str, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            trigger=trigger,
            started_at=now,
            sent=False,
            error=reason[:500],
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.NOT_SENT,
            attempts=number,
            outcome=reason[:500],
            next_attempt_at=None,
            claimed_until=None,
            finished_at=now,
            last_attempt_at=now,
            last_status_code=None,
        )


def delivery_attempt(delivery_id: Any) -> WebhookAttempt | None:
    """One attempt at a delivery, if it is due and nobody else holds it; None otherwise."""
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    number = delivery.attempts + 1
    trigger = delivery.next_trigger
    company = _company()
    if company is None:
        _not_sent(delivery, number, trigger, "Not sent: the company is not active.")
        return None
    if event.type != TEST_EVENT:
        if not endpoint.enabled:
            _not_sent(delivery, number, trigger, "Not sent: the endpoint is switched off.")
            return None
        if event.type not in endpoint.event_types:
            _not_sent(
                delivery,
                number,
                trigger,
                f"Not sent: the endpoint no longer subscribes to {event.type}.",
            )
            return None
    try:
        body = body_bytes(event, company=company, endpoint=endpoint)
    except NotSent as refusal:
        _not_sent(delivery, number, trigger, refusal.reason)
        return None
    started = timezone.now()
    try:
        endpoint_url_check(endpoint.url)
    except ValidationError as exc:
        answer = _Answer()
        answer.error = "Not sent now: " + " ".join(exc.messages)
    else:
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": str(int(started.timestamp())),
            "webhook-signature": signature_header(endpoint, delivery.webhook_id, started, body),
        }
        answer = _post(endpoint, headers, body)
    return _record(delivery, endpoint, number, trigger, started, body, answer)


def _record(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    number: int,
    trigger: str,
    started: dt.datetime,
    body: bytes,
    answer: _Answer,
) -> WebhookAttempt:
    now = timezone.now()
    wait = None
    if not answer.succeeded and answer.retryable and delivery.auto_retry:
        wait = retry_wait(number, answer.retry_after)
    retry_at = now + dt.timedelta(seconds=wait) if wait is not None else None
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            trigger=trigger,
            started_at=started,
            duration_ms=answer.duration_ms,
            status_code=answer.status,
            succeeded=answer.succeeded,
            response_excerpt=answer.excerpt,
            error=answer.error[:500],
            request_body=body.decode("utf-8", errors="replace"),
            retry_at=retry_at,
        )
        update: dict[str, Any] = {
            "attempts": number,
            "claimed_until": None,
            "last_attempt_at": started,
            "last_status_code": answer.status,
        }
        if answer.succeeded:
            update.update(
                state=DeliveryState.SUCCEEDED,
                outcome=f"Delivered: the endpoint answered {answer.status}.",
                next_attempt_at=None,
                finished_at=now,
            )
        elif retry_at is not None:
            update.update(
                state=DeliveryState.PENDING,
                outcome=f"{answer.error} Next attempt {retry_at:%b %d, %H:%M:%S} UTC.",
                next_attempt_at=retry_at,
                next_trigger=AttemptTrigger.RETRY,
            )
        else:
            gave_up = answer.retryable and delivery.auto_retry
            update.update(
                state=DeliveryState.FAILED,
                outcome=(f"Gave up after {number} attempts. " if gave_up else "") + answer.error,
                next_attempt_at=None,
                finished_at=now,
            )
        update["outcome"] = update["outcome"][:500]
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
        _health(endpoint, answer.succeeded, answer.error, now)
    if wait is not None and wait <= COUNTDOWN_MAX:
        schema = connection.schema_name
        pk = str(delivery.pk)
        transaction.on_commit(
            lambda: webhook_delivery_send.apply_async(
                args=[pk], countdown=wait, headers={"_schema_name": schema}
            )
        )
    return attempt


def _health(endpoint: WebhookEndpoint, succeeded: bool, error: str, now: dt.datetime) -> None:
    """The endpoint's streak; switched off once it has failed for long enough."""
    if succeeded:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            last_success_at=now, failing_since=None, consecutive_failures=0
        )
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        last_failure_at=now, consecutive_failures=F("consecutive_failures") + 1
    )
    current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if current.failing_since is None:  # a success of another delivery just ended the streak
        return
    long_enough = now - current.failing_since >= dt.timedelta(
        hours=settings.WEBHOOKS_DISABLE_AFTER_HOURS
    )
    if (
        current.enabled
        and long_enough
        and current.consecutive_failures >= settings.WEBHOOKS_DISABLE_MIN_FAILURES
    ):
        endpoint_switch_off_failing(current, error, now)


def endpoint_switch_off_failing(endpoint: WebhookEndpoint, error: str, now: dt.datetime) -> None:
    """Switches a failing endpoint off, in the audit log, and tells the company's admins."""
    reason = (
        f"Switched off on {now:%b %d, %Y} after failing since "
        f"{endpoint.failing_since:%b %d, %Y %H:%M} UTC ({endpoint.consecutive_failures} failed "
        f"attempts in a row). The last error: {error}"
    )[:2000]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_at=now, disabled_reason=reason
    )
    company_audit_entry_record(
        actor=None,
        action=AuditAction.WEBHOOK_ENDPOINT_DISABLED,
        target=endpoint,
        before={"enabled": True},
        after={"enabled": False, "reason": reason},
    )
    transaction.on_commit(subscriptions_forget)
    schema = connection.schema_name
    transaction.on_commit(lambda: _tell_admins(schema, endpoint, reason))


def _tell_admins(schema: str, endpoint: WebhookEndpoint, reason: str) -> None:
    company = Company.objects.filter(schema_name=schema).first()
    if company is None:
        return
    emails = list(
        Membership.objects.filter(
            company=company, role__in=[Role.OWNER, Role.ADMIN], user__is_service_account=False
        ).values_list("user__email", flat=True)
    )
    if not emails:
        return
    page = company_url(company.slug, f"/settings/webhooks/{endpoint.pk}/")
    send_mail(
        subject="A webhook endpoint was switched off",
        message=(
            f"We switched off the webhook endpoint {endpoint.description or endpoint.url} "
            f"of {company.name}: it kept failing.\n\n{reason}\n\n"
            f"Fix the endpoint, switch it back on and resend what it missed: {page}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=emails,
    )


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def webhook_delivery_send(delivery_id: str) -> bool:
    """Runs in the company's schema (the task's schema header). Delivered twice, or while
    another worker holds the delivery, or before it is due, it does nothing."""
    try:
        attempt = delivery_attempt(delivery_id)
    except WebhookDelivery.DoesNotExist:  # the endpoint was removed meanwhile
        return False
    if attempt is not None:
        log.info(
            "webhook %s: %s %s",
            event_type_label(attempt.delivery.event.type),
            attempt.status_code,
            attempt.error,
        )
    return attempt is not None

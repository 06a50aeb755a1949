"""Writes to a company's webhooks: its admins add, change, switch off and remove endpoints,
rotate and reveal their signing secrets, send a test event and resend a delivery. Every
change is in the company's audit log (invariant 4); a secret never is."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from edge.text import HostileInput, text_check
from identity.models import User
from tenants.models import Membership
from webhooks.addresses import endpoint_url_check
from webhooks.catalogue import KEYS, TEST_EVENT
from webhooks.events import deliveries_queue, event_record
from webhooks.models import (
    AttemptTrigger,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.selectors import subscriptions_forget

MAX_ENDPOINTS = 20
# how long the previous secret keeps signing after a rotation (hours): receivers switch over
ROTATION_GRACE_HOURS = (0, 1, 24, 24 * 7)
DEFAULT_GRACE_HOURS = 24


def _require_admin(membership: Membership | None) -> None:
    if membership is None or not membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins manage its webhooks.")


def secret_make() -> str:
    """A signing secret per the Standard Webhooks spec: whsec_ and 32 random bytes, base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _public(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never its secret."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
    }


def _clean(*, url: str, description: str, event_types: Iterable[str]) -> tuple[str, str, list[str]]:
    description = " ".join((description or "").split())
    if len(description) > 200:
        raise ValidationError({"description": ["Keep the description under 200 characters."]})
    try:
        text_check(description, where="The description", line=True)
        text_check(url or "", where="The address", line=True)
    except HostileInput as exc:
        raise ValidationError(exc.message) from exc
    chosen = [str(t) for t in event_types]
    unknown = sorted(set(chosen) - set(KEYS))
    if unknown:
        raise ValidationError({"event_types": [f"Unknown event type: {', '.join(unknown)[:200]}."]})
    if not chosen:
        raise ValidationError({"event_types": ["Choose at least one event to send."]})
    return endpoint_url_check(url), description, [k for k in KEYS if k in set(chosen)]


def _changed() -> None:
    """The company's subscriptions changed: the fan-out reads them again. Forgotten now and
    again after the commit (a read in between may have cached the old ones)."""
    subscriptions_forget()
    transaction.on_commit(subscriptions_forget)


def endpoint_create(
    *,
    actor: User,
    actor_membership: Membership | None,
    url: str,
    description: str = "",
    event_types: Iterable[str],
    enabled: bool = True,
) -> WebhookEndpoint:
    """A new endpoint with a new signing secret (shown to admins on its page)."""
    _require_admin(actor_membership)
    url, description, event_types = _clean(
        url=url, description=description, event_types=event_types
    )
    with transaction.atomic():
        if WebhookEndpoint.objects.select_for_update().count() >= MAX_ENDPOINTS:
            raise ValidationError(f"A company can have at most {MAX_ENDPOINTS} webhook endpoints.")
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            description=description,
            event_types=event_types,
            enabled=enabled,
            disabled_at=None if enabled else timezone.now(),
            secret=secret_make(),
            created_by_id=actor.pk,
        )
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WEBHOOK_ENDPOINT_CREATED,
            target=endpoint,
            after=_public(endpoint),
        )
        _changed()
    return endpoint


def endpoint_update(
    *,
    actor: User,
    actor_membership: Membership | None,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Iterable[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Changes what is given (None keeps it). Switching an endpoint back on clears its failure
    streak, so it gets a fresh start before it could be switched off again."""
    _require_admin(actor_membership)
    url, description, event_types = _clean(
        url=endpoint.url if url is None else url,
        description=endpoint.description if description is None else description,
        event_types=endpoint.event_types if event_types is None else event_types,
    )
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _public(endpoint)
        endpoint.url, endpoint.description, endpoint.event_types = url, description, event_types
        fields = ["url", "description", "event_types", "updated_at"]
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            endpoint.disabled_at = None if enabled else timezone.now()
            endpoint.disabled_reason = "" if enabled else "Switched off by an admin."
            if enabled:
                endpoint.failing_since, endpoint.consecutive_failures = None, 0
            fields += [
                "enabled",
                "disabled_at",
                "disabled_reason",
                "failing_since",
                "consecutive_failures",
            ]
        after = _public(endpoint)
        if after == before:
            return endpoint
        endpoint.save(update_fields=fields)
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WEBHOOK_ENDPOINT_UPDATED,
            target=endpoint,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
        _changed()
    return endpoint


def endpoint_remove(
    *, actor: User, actor_membership: Membership | None, endpoint: WebhookEndpoint
) -> None:
    """Removes the endpoint with its log; nothing more is sent to it."""
    _require_admin(actor_membership)
    with transaction.atomic():
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WEBHOOK_ENDPOINT_REMOVED,
            target=endpoint,
            before=_public(endpoint),
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
        _changed()


def secret_rotate(
    *,
    actor: User,
    actor_membership: Membership | None,
    endpoint: WebhookEndpoint,
    grace_hours: int = DEFAULT_GRACE_HOURS,
) -> WebhookEndpoint:
    """A new signing secret. For `grace_hours` the previous one signs too (each request then
    carries both signatures, as the spec allows), so receivers can switch over without
    refusing anything; with 0 the old secret stops at once."""
    _require_admin(actor_membership)
    if grace_hours not in ROTATION_GRACE_HOURS:
        raise ValidationError(
            "Choose how long the old secret keeps working: 0, 1, 24 or 168 hours."
        )
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if grace_hours:
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = now + dt.timedelta(hours=grace_hours)
        else:
            endpoint.previous_secret, endpoint.previous_secret_expires_at = "", None
        endpoint.secret = secret_make()
        endpoint.secret_rotated_at = now
        endpoint.save(
            update_fields=[
                "secret",
                "previous_secret",
                "previous_secret_expires_at",
                "secret_rotated_at",
                "updated_at",
            ]
        )
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WEBHOOK_SECRET_ROTATED,
            target=endpoint,
            after={
                "secret": "rotated",
                "previous_secret_valid_until": endpoint.previous_secret_expires_at,
            },
        )
    return endpoint


def secret_reveal(
    *, actor: User, actor_membership: Membership | None, endpoint: WebhookEndpoint
) -> str:
    """The endpoint's signing secret, for an admin to copy; who looked and when is audited."""
    _require_admin(actor_membership)
    company_audit_entry_record(
        actor=actor, action=AuditAction.WEBHOOK_SECRET_REVEALED, target=endpoint
    )
    return endpoint.secret


def endpoint_test_event_send(
    *, actor: User, actor_membership: Membership | None, endpoint: WebhookEndpoint
) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint only (switched on or not), sent once."""
    _require_admin(actor_membership)
    with transaction.atomic():
        event = event_record(
            event_type=TEST_EVENT,
            facts={"requested_by": actor.get_full_name() or actor.email},
            endpoints=[endpoint],
            trigger=AttemptTrigger.TEST,
        )
        company_audit_entry_record(
            actor=actor, action=AuditAction.WEBHOOK_TEST_SENT, target=endpoint
        )
    return event.deliveries.get()


def delivery_resend(
    *, actor: User, actor_membership: Membership | None, delivery: WebhookDelivery
) -> WebhookDelivery:
    """One more attempt now, with the same webhook-id (receivers drop a duplicate). Access
    and the address are checked again as for any attempt: what may not be sent is not."""
    _require_admin(actor_membership)
    endpoint = delivery.endpoint
    if not endpoint.enabled and delivery.event.type != TEST_EVENT:
        raise ValidationError("The endpoint is switched off: switch it on, then resend.")
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        retrying = delivery.state == DeliveryState.PENDING
        delivery.state = DeliveryState.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.next_trigger = AttemptTrigger.RESEND
        # a resend is one attempt; one asked for while retries go on keeps them going
        delivery.auto_retry = retrying and delivery.auto_retry
        delivery.finished_at = None
        delivery.save(
            update_fields=["state", "next_attempt_at", "next_trigger", "auto_retry", "finished_at"]
        )
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.WEBHOOK_DELIVERY_RESENT,
            target=endpoint,
            after={"webhook_id": delivery.webhook_id, "event": delivery.event.type},
        )
        deliveries_queue([delivery.pk])
    return delivery

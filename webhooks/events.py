"""Where events come from and how they become deliveries.

- The company's own records: its audit log (`audit.hooks`, registered in apps.py). The event
  and its deliveries are written in the same transaction as the change (an outbox: they exist
  if and only if the change committed); the sends are queued after the commit.
- Its CRM connections: integrations' hook when a connection's syncs keep failing.
- Shared records: sharing's `record_event` hook. After the commit, each company that reads
  the record as a whole (and the company just taken off it, for record.unshared) gets a task
  in its own schema (`network_event_receive`), which writes the event there if one of its
  endpoints subscribes and the company may hear of it — the same check each attempt makes
  again before sending (webhooks.payloads). Nothing here enters another company's schema.

A company's subscriptions are cached under a network-wide key (webhooks.selectors), so a
change on a record whose participants have no endpoint queues nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from identity.models import User
from kinds import kind_get
from sharing.hooks import RecordEvent
from sharing.records.access import companies_reading_record, shared_record_outline_unscoped
from tenants.models import Company, CompanyStatus, Membership
from webhooks.catalogue import OWN_RECORD_KINDS, TEST_EVENT, changed_of, network_types_of
from webhooks.delivery import webhook_delivery_send
from webhooks.models import AttemptTrigger, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.payloads import NotSent, event_data
from webhooks.selectors import (
    endpoints_subscribed,
    subscribed_types,
    subscribed_types_cached,
)


def deliveries_queue(ids: Iterable[Any]) -> None:
    """Queues a send for each delivery after the commit, in the current company's schema."""
    schema = connection.schema_name
    ids = [str(pk) for pk in ids]
    if ids:
        transaction.on_commit(
            lambda: [
                webhook_delivery_send.apply_async(args=[pk], headers={"_schema_name": schema})
                for pk in ids
            ]
        )


def event_record(
    *,
    event_type: str,
    facts: dict[str, Any],
    endpoints: list[WebhookEndpoint] | None = None,
    shared_record_id: Any = None,
    record_kind: str = "",
    record_id: Any = None,
    occurred_at: dt.datetime | None = None,
    trigger: str = AttemptTrigger.FIRST,
) -> WebhookEvent | None:
    """In the current company's schema and transaction: the event and one delivery per
    endpoint subscribed to it (or per endpoint given), their sends queued after the commit.
    None when no endpoint wants it."""
    if endpoints is None:
        endpoints = endpoints_subscribed(event_type)
    if not endpoints:
        return None
    now = timezone.now()
    event = WebhookEvent.objects.create(
        type=event_type,
        occurred_at=occurred_at or now,
        shared_record_id=shared_record_id,
        record_kind=record_kind,
        record_id=record_id,
        facts=facts,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            next_attempt_at=now,
            next_trigger=trigger,
            auto_retry=event_type != TEST_EVENT,
        )
        for endpoint in endpoints
    )
    deliveries_queue(d.pk for d in deliveries)
    return event


# -- the company's own records (audit log) ---------------------------------------------------


def _actor(user_id: int | None) -> dict[str, Any] | None:
    """Who did it, as the company's own events name them: its people by name and e-mail,
    anyone else (a partner's person whose edit came back) by name, integrations as such."""
    if not user_id:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    if user.is_service_account:
        return {"type": "service_account", "name": user.get_full_name() or "Service account"}
    member = Membership.objects.filter(
        user_id=user_id, company__schema_name=connection.schema_name
    ).exists()
    out = {"type": "person", "name": user.get_full_name() or "—"}
    if member:
        out["email"] = user.email
    return out


def audit_entry_heard(entry: Any) -> None:
    """A company audit entry: `<kind>.created|updated|archived` of its own records becomes
    the event of that name, if an endpoint subscribes."""
    action = str(entry.action)
    kind, _, verb = action.partition(".")
    if kind not in OWN_RECORD_KINDS or verb not in ("created", "updated", "archived"):
        return
    spec = kind_get(kind)
    if spec is None or spec.model is None or entry.target_type != spec.model._meta.label_lower:
        return  # (an entry about something else than the record itself)
    if action not in subscribed_types():
        return
    event_record(
        event_type=action,
        facts={
            "actor": _actor(entry.actor_id),
            "changed": sorted((entry.after or {}).keys()) if verb == "updated" else [],
        },
        record_kind=kind,
        record_id=entry.target_id or None,
        occurred_at=entry.occurred_at,
    )


# -- the company's CRM connections (integrations' hook) --------------------------------------


def sync_failing_heard(crm_connection: Any) -> None:
    """A connection's syncs keep failing (integrations tells once, until a run succeeds)."""
    if "sync.failed" not in subscribed_types():
        return
    with transaction.atomic():
        event_record(
            event_type="sync.failed",
            facts={
                "connection": {
                    "id": str(crm_connection.pk),
                    "name": crm_connection.name,
                    "connector": crm_connection.connector,
                },
                "failed_runs": crm_connection.consecutive_failures,
                "last_error": (crm_connection.last_error or "")[:500],
            },
        )


# -- shared records (sharing's hook) ---------------------------------------------------------


def record_event_heard(event: RecordEvent) -> None:
    """Inside the transaction that changed the record: the fan-out waits for the commit."""
    types = network_types_of(event.verb, event.data or {})
    if not types:
        return
    occurred_at = timezone.now().isoformat()
    transaction.on_commit(lambda: _fan_out(event, types, occurred_at))


def _facts_data(data: dict[str, Any]) -> dict[str, Any]:
    """What of a feed event's data an event needs — who was added or removed, with which
    role and why; a comment's id; a stage's before and after; the names of changed fields —
    and no other value: a field's before and after may be one a recipient may not read."""
    out = {k: data[k] for k in ("partner_id", "role", "reason", "comment_id") if k in data}
    before, after = data.get("before"), data.get("after")
    if isinstance(after, dict) and "stage" in after:
        out["before"] = {"stage": (before or {}).get("stage") if isinstance(before, dict) else None}
        out["after"] = {"stage": after.get("stage")}
    changed = changed_of(data)
    if changed:
        out["changed"] = changed
    return out


def _fan_out(event: RecordEvent, types: list[str], occurred_at: str) -> None:
    recipients = {c.pk: c for c in companies_reading_record(record_id=event.record_id)}
    former = event.data.get("partner_id") if event.verb == "sharing.removed" else None
    outline = None
    if former and former not in recipients:
        company = Company.objects.filter(pk=former, status=CompanyStatus.ACTIVE).first()
        if company is not None:
            recipients[company.pk] = company
            outline = shared_record_outline_unscoped(record_id=event.record_id)
    for company in recipients.values():
        cached = subscribed_types_cached(company.schema_name)
        wanted = [t for t in types if cached is None or t in cached]
        if not wanted:
            continue
        network_event_receive.apply_async(
            kwargs={
                "record_id": str(event.record_id),
                "types": wanted,
                "facts": {
                    "company_id": event.company_id,
                    "actor_id": event.actor_id,
                    "verb": event.verb,
                    "data": _facts_data(event.data or {}),
                    **({"outline": outline} if company.pk == former else {}),
                },
                "occurred_at": occurred_at,
            },
            headers={"_schema_name": company.schema_name},
        )


def _facts_kept(event_type: str, facts: dict[str, Any], told: dict[str, Any]) -> dict[str, Any]:
    """What the company keeps of an event: only what its type says (the stage for a stage
    move, the changed fields it may see for an update), nothing it could not be told."""
    data = dict(facts.get("data") or {})
    if event_type != "record.stage_changed":
        data.pop("before", None)
        data.pop("after", None)
    if event_type == "record.updated":
        data["changed"] = told.get("changed", [])
    else:
        data.pop("changed", None)
    return {**facts, "data": data}


@shared_task(ignore_result=True, acks_late=True)
def network_event_receive(
    *, record_id: str, types: list[str], facts: dict[str, Any], occurred_at: str
) -> int:
    """In the receiving company's schema: the event, for each type one of its endpoints
    subscribes to and that the company may hear of now; answers how many were written."""
    company = Company.objects.filter(
        schema_name=connection.schema_name, status=CompanyStatus.ACTIVE
    ).first()
    if company is None:
        return 0
    subscribed = subscribed_types()
    written = 0
    for event_type in types:
        if event_type not in subscribed:
            continue
        event = WebhookEvent(
            type=event_type,
            occurred_at=parse_datetime(occurred_at) or timezone.now(),
            shared_record_id=record_id,
            facts=facts,
        )
        try:
            # (what it may hear of is decided by the same code that builds each attempt)
            told = event_data(event, company=company, endpoint=None)
        except NotSent:
            continue  # nothing of it is the company's: not even a line in its log
        with transaction.atomic():
            written += (
                event_record(
                    event_type=event_type,
                    facts=_facts_kept(event_type, facts, told),
                    shared_record_id=record_id,
                    occurred_at=event.occurred_at,
                )
                is not None
            )
    return written

"""What an event says to the company receiving it, built right before each attempt (and once
when the event arrives, to decide whether it is the company's to hear at all).

A shared record is read through the access function for the company as a whole
(`shared_records_visible_to_company`): the payload holds the record as that company may see
it now — fields the owner withholds from it are not there, and a record it can no longer see
is not sent (`NotSent`). Events of the record's feed follow the feed's own visibility (under
restricted visibility a participant hears only of the owner's and its own doings). The
company's own records are its own: their id, title, links and the names of the fields that
changed (values are read through the API, with the receiver's own token)."""

from __future__ import annotations

import json
from typing import Any

from django.urls import NoReverseMatch, reverse

from identity.models import User
from integrations.models import Connection
from kinds import kind_get
from sharing.models import Comment, SharedRecord
from sharing.records.access import shared_records_visible_to_company
from sharing.records.selectors import activity_readable_by
from tenants.domains import company_url
from tenants.models import Company
from webhooks.catalogue import BY_KEY, NETWORK, TEST_EVENT, changed_of
from webhooks.models import WebhookEndpoint, WebhookEvent

# a body larger than this leaves the record's fields out (the receiver reads them by API)
MAX_BODY_BYTES = 256 * 1024


class NotSent(Exception):
    """This company may not be told this (any more): the sentence says why, for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


ACCESS_REMOVED = "Not sent: access removed — your company can no longer see this record."


def _link(company: Company, name: str, *args: Any) -> str | None:
    try:
        return company_url(company.slug, reverse(name, args=args))
    except NoReverseMatch:
        return None


def _company(company: Company | None) -> dict[str, str] | None:
    return None if company is None else {"name": company.name, "slug": company.slug}


def _shared_record(record: SharedRecord, company: Company) -> dict[str, Any]:
    withheld = set(getattr(record, "viewer_withheld", None) or ())
    out: dict[str, Any] = {
        "id": str(record.pk),
        "kind": record.kind,
        "title": record.title,
        "owner": _company(record.owner),
        "yours": record.owner_id == company.pk,
        "version": record.version,
        "archived": record.archived_at is not None,
        "url": _link(company, "shared_detail", record.pk),
        "api_url": _link(company, "api-shared-detail", record.pk),
        "fields": record.payload,
    }
    if "stage" not in withheld:
        out["stage"] = record.stage or None
    return out


def _network_data(event: WebhookEvent, company: Company) -> dict[str, Any]:
    facts = event.facts
    data = facts.get("data") or {}
    about_us = data.get("partner_id") == company.pk
    if event.type == "record.unshared" and about_us:
        # the company itself lost the record: it is told what it knew, nothing read now
        return {
            "record": facts.get("outline"),
            "partner": _company(company),
            "reason": data.get("reason") or "removed",
        }
    record = (
        shared_records_visible_to_company(company=company)
        .filter(pk=event.shared_record_id)
        .select_related("owner")
        .first()
    )
    if record is None:
        raise NotSent(ACCESS_REMOVED)
    readable = activity_readable_by(
        record=record,
        company_id=company.pk,
        event_company_id=facts.get("company_id"),
        data=data,
    )
    if not readable and not about_us:
        raise NotSent(
            "Not sent: the record's owner keeps participants from seeing each other's activity."
        )
    withheld = set(getattr(record, "viewer_withheld", None) or ())
    out: dict[str, Any] = {"record": _shared_record(record, company), "actor": None}
    actor_id = facts.get("actor_id")
    if readable and actor_id:
        person = User.objects.filter(pk=actor_id).only("full_name", "email").first()
        acting = Company.objects.filter(pk=facts.get("company_id")).only("name", "slug").first()
        if person is not None:
            out["actor"] = {"name": person.get_full_name() or "—", "company": _company(acting)}
    if event.type in ("record.shared", "record.role_changed", "record.unshared"):
        partner = Company.objects.filter(pk=data.get("partner_id")).only("name", "slug").first()
        out["partner"] = _company(partner)
        if event.type == "record.unshared":
            out["reason"] = data.get("reason") or "removed"
        else:
            out["role"] = data.get("role")
    elif event.type == "record.stage_changed":
        if "stage" in withheld:
            raise NotSent("Not sent: the record's owner doesn't share its stage with you.")
        out["stage"] = {
            "before": (data.get("before") or {}).get("stage") or None,
            "after": (data.get("after") or {}).get("stage") or None,
        }
    elif event.type == "record.updated":
        changed = [name for name in changed_of(data) if name not in withheld]
        if not changed:
            raise NotSent("Not sent: none of the fields that changed is shared with you.")
        out["changed"] = changed
    elif event.type == "comment.added":
        comment = (
            Comment.objects.filter(pk=data.get("comment_id"), record_id=record.pk)
            .select_related("author", "company")
            .first()
        )
        if comment is None:
            raise NotSent("Not sent: the comment is no longer there.")
        out["comment"] = {
            "id": str(comment.pk),
            "body": comment.body,
            "author": {"name": comment.author.get_full_name() if comment.author else "—"},
            "company": _company(comment.company),
            "created_at": comment.created_at.isoformat(),
            "url": (out["record"]["url"] or "") + f"#comment-{comment.pk}",
        }
    return out


def _own_title(obj: Any) -> str:
    return str(getattr(obj, "name", None) or getattr(obj, "title", None) or obj)


def _own_data(event: WebhookEvent, company: Company) -> dict[str, Any]:
    facts = event.facts
    if event.type == "sync.failed":
        connection = Connection.objects.filter(pk=facts.get("connection", {}).get("id")).first()
        if connection is None:
            raise NotSent("Not sent: the connection is no longer there.")
        return {
            "connection": {
                **facts.get("connection", {}),
                "url": _link(company, "integration_detail", connection.pk),
            },
            "failed_runs": facts.get("failed_runs"),
            "last_error": facts.get("last_error"),
        }
    spec = kind_get(event.record_kind)
    obj = (
        spec.model.objects.filter(pk=event.record_id).first()
        if spec is not None and spec.model is not None
        else None
    )
    if obj is None:
        raise NotSent("Not sent: the record is no longer there.")
    api = spec.api[0].basename + "-detail" if spec.api else ""
    out: dict[str, Any] = {
        "record": {
            "id": str(obj.pk),
            "kind": spec.key,
            "title": _own_title(obj),
            "archived": getattr(obj, "archived_at", None) is not None,
            "url": _link(company, spec.detail_url_name, obj.pk) if spec.detail_url_name else None,
            "api_url": _link(company, api, obj.pk) if api else None,
        },
        "actor": facts.get("actor"),
    }
    if event.type.endswith(".updated"):
        out["changed"] = list(facts.get("changed") or ())
    return out


def event_data(event: WebhookEvent, *, company: Company, endpoint: WebhookEndpoint | None) -> dict:
    """The `data` of the event for `company` now; NotSent when it may not be told."""
    if event.type == TEST_EVENT:
        return {
            "message": "A test event from Ecosystem Cloud: your endpoint is reachable and "
            "the signature checks out.",
            "endpoint": {
                "id": str(endpoint.pk) if endpoint else None,
                "description": endpoint.description if endpoint else "",
            },
            "requested_by": event.facts.get("requested_by"),
        }
    spec = BY_KEY.get(event.type)
    if spec is None:
        raise NotSent("Not sent: this kind of event is no longer offered.")
    if spec.source == NETWORK:
        return _network_data(event, company)
    return _own_data(event, company)


def body_bytes(event: WebhookEvent, *, company: Company, endpoint: WebhookEndpoint) -> bytes:
    """The JSON body: {type, timestamp, data}. A huge one goes without the record's fields."""
    body = {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event_data(event, company=company, endpoint=endpoint),
    }
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    record = body["data"].get("record")
    if len(raw) > MAX_BODY_BYTES and isinstance(record, dict) and "fields" in record:
        record.pop("fields")
        record["fields_left_out"] = True
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return raw

"""Shared-record pages: the "Shared with me" inbox and a shared record as a participant sees
it. Every query goes through sharing.access (the one door)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.services import audit_event_record
from sharing.access import (
    OWNER,
    role_on_record,
    shared_record_get_for_actor,
    shared_records_shared_with,
)
from sharing.models import RecordKind, SharedRecord
from sharing.selectors import sharing_list_of
from tenants.models import Company

STAGES = {
    "prospect": "Prospect",
    "qualify": "Qualify",
    "propose": "Propose",
    "negotiate": "Negotiate",
    "won": "Won",
    "lost": "Lost",
}


def shared_inbox(request: HttpRequest) -> HttpResponse:
    records = shared_records_shared_with(user=request.user, company=request.tenant).filter(
        archived_at__isnull=True
    )
    partner = request.GET.get("partner", "")
    kind = request.GET.get("kind", "")
    stage = request.GET.get("stage", "")
    if partner:
        records = records.filter(owner__slug=partner)
    if kind in RecordKind.values:
        records = records.filter(kind=kind)
    if stage in STAGES:
        records = records.filter(stage=stage)
    page = Paginator(
        records.select_related("owner").order_by("-last_activity_at", "pk"), 50
    ).get_page(request.GET.get("page"))
    owners = Company.objects.filter(
        pk__in=shared_records_shared_with(user=request.user, company=request.tenant).values(
            "owner_id"
        )
    ).order_by("name")
    return render(
        request,
        "sharing/inbox.html",
        {
            "page": page,
            "owners": owners,
            "kinds": RecordKind.choices,
            "stages": STAGES.items(),
            "current": {"partner": partner, "kind": kind, "stage": stage},
        },
    )


def shared_detail(request: HttpRequest, pk: str) -> HttpResponse:
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    role = role_on_record(user=request.user, company=request.tenant, record=record)
    return render(
        request,
        "sharing/record_detail.html",
        {
            "record": record,
            "role": role,
            "is_owner": role == OWNER,
            "stage_label": STAGES.get(record.stage, record.stage),
            "sharing_list": sharing_list_of(
                record=record, viewer_company=request.tenant, viewer_is_owner=role == OWNER
            ),
        },
    )


@require_POST
def shared_settings(request: HttpRequest, pk: str) -> HttpResponse:
    """The owner's switches on a shared record: participant visibility and re-sharing."""
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    if role_on_record(user=request.user, company=request.tenant, record=record) != OWNER:
        raise PermissionDenied("Only the record's owner changes these settings.")
    after = {
        "restrict_participants": request.POST.get("restrict_participants") == "on",
        "participants_may_share": request.POST.get("participants_may_share") == "on",
    }
    with transaction.atomic():
        before = {k: getattr(record, k) for k in after}
        SharedRecord.objects.filter(pk=record.pk).update(**after)
        audit_event_record(
            actor=request.user,
            company=request.tenant,
            action="sharing.settings_changed",
            target=record,
            before=before,
            after=after,
        )
    messages.success(request, "Sharing settings saved.")
    return redirect("shared_detail", pk=record.pk)

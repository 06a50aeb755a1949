"""Shared-record pages: the "Shared with me" inbox and a shared record as a participant sees
it. Every query goes through sharing.records.access (the one door)."""

from __future__ import annotations

from defusedcsv import csv
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from business.labels import request_labels
from business.mappings import shared_custom_for_viewer
from canonical import Stage
from kinds import kind_choices
from sharing.collaboration.services.collaboration import (
    StaleVersion,
    participation_update,
    shared_record_adopt,
    shared_record_collaborate,
)
from sharing.collaboration.services.comments import comment_add, internal_comment_add
from sharing.hooks import record_actions
from sharing.lens.selectors import internal_comments_of
from sharing.models import SharedRecord
from sharing.network.selectors import active_partners
from sharing.records.access import (
    can_edit,
    shared_record_get_for_actor,
    shared_records_shared_with,
    shared_with_page,
)
from sharing.records.kinds import kind_handlers
from sharing.records.selectors import (
    activity_visible,
    comments_visible,
    participations_visible,
    sharing_list_and_role,
)
from sharing.records.services.sharing import shared_record_settings_update
from tenants.selectors import members_of_company
from ui.pagination import MAX_PAGE
from ui.templatetags.ui import ago, whole_amount

STAGES = dict(Stage.choices)
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def shared_inbox(request: HttpRequest) -> HttpResponse:
    partners = list(active_partners(company=request.tenant).only("pk", "slug", "name"))
    partner = next((p for p in partners if p.slug == request.GET.get("partner", "")), None)
    kind = request.GET.get("kind", "")
    stage = request.GET.get("stage", "")
    page = _page_number(request)
    records, has_older = shared_with_page(
        user=request.user,
        company=request.tenant,
        page=page,
        kind=kind if kind in dict(kind_choices(shared=True)) else "",
        stage=stage if stage in STAGES else "",
        owner_id=partner.pk if partner else None,
        needs_action=request.GET.get("needs_action") == "1",
        membership=request.membership,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sharing/inbox.html",
        {
            "records": inbox_rows(records, labels=request_labels(request)["stage"]),
            "page": page,
            "has_older": has_older,
            "query": query.urlencode(),
            "owners": partners,
            "kinds": kind_choices(shared=True),
            "stages": request_labels(request)["stage"].items(),
            "current": {
                "partner": partner.slug if partner else "",
                "kind": kind,
                "stage": stage,
                "needs_action": request.GET.get("needs_action") == "1",
            },
        },
    )


def inbox_rows(records: list[SharedRecord], *, labels: dict[str, str]) -> list[dict]:
    """What each inbox row shows, worked out here rather than in the template: fifty rows of
    lookups, filters and tags were most of the page's render time. One reverse for all."""
    detail = reverse("shared_detail", args=[_PLACEHOLDER])
    kinds = dict(kind_choices(shared=True))
    rows = []
    for record in records:
        meta = [record.owner.name, kinds.get(record.kind, record.kind)]
        if record.stage:
            meta.append(labels.get(record.stage, record.stage))
        amount = record.payload.get("amount")
        if amount:
            meta.append(f"{whole_amount(amount)} {record.payload.get('currency', '')}".strip())
        rows.append(
            {
                "url": detail.replace(_PLACEHOLDER, str(record.pk)),
                "title": record.title,
                "ago": ago(record.last_activity_at),
                "meta": " · ".join(meta),
            }
        )
    return rows


def _detail_context(request: HttpRequest, record: SharedRecord) -> dict:
    company = request.tenant
    is_owner = record.owner_id == company.pk
    # The page reads the list anyway; the viewer's role comes from the same rows (writes
    # re-check it in their services).
    sharing_list, role = sharing_list_and_role(
        record=record, viewer_company=company, viewer_is_owner=is_owner, viewer=request.user
    )
    participations = participations_visible(
        record=record, viewer_company=company, viewer_is_owner=is_owner
    )
    mine = next((p for p in participations if p.company_id == company.pk), None)
    actions = record_actions(request, record, is_owner=is_owner)
    return {
        "record_actions": actions,
        "record": record,
        "role": role,
        "is_owner": is_owner,
        "can_edit": can_edit(role),
        "stages": list(request_labels(request)["stage"].items()),
        "deal_roles": list(request_labels(request)["deal_role"].items()),
        "sharing_list": sharing_list,
        "participations": participations,
        "my_participation": mine,
        "colleagues": members_of_company(company=company),
        "activity": activity_visible(
            record=record,
            viewer_company=company,
            viewer_is_owner=is_owner,
            withheld=mine.withheld if mine else None,
        ),
        "adoptable": not is_owner and _adoptable(record),
        "comments": comments_visible(
            record=record, viewer_company=company, viewer_is_owner=is_owner
        ),
        "internal_comments": internal_comments_of(record=record),
        "shared_custom": shared_custom_for_viewer(record=record, viewer_company=company),
    }


def _adoptable(record: SharedRecord) -> bool:
    handlers = kind_handlers(record.kind)
    return bool(
        handlers and handlers.adopt and handlers.is_adopted and not handlers.is_adopted(record)
    )


def shared_detail(request: HttpRequest, pk: str) -> HttpResponse:
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    return render(request, "sharing/record_detail.html", _detail_context(request, record))


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def _write(request: HttpRequest, pk: str, action, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    try:
        action(record)
    except StaleVersion as conflict:
        context = _detail_context(request, record)
        context["conflict"] = conflict
        return render(request, "sharing/record_detail.html", context, status=409)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, success)
    return redirect("shared_detail", pk=record.pk)


@require_POST
def shared_collaborate(request: HttpRequest, pk: str) -> HttpResponse:
    data = {k: request.POST[k] for k in ("stage", "close_date", "next_step") if k in request.POST}
    return _write(
        request,
        pk,
        lambda record: shared_record_collaborate(
            actor=request.user,
            actor_membership=request.membership,
            record=record,
            data=data,
            expected_version=_version(request),
        ),
        "Saved. Everyone on the record sees the update.",
    )


@require_POST
def shared_section(request: HttpRequest, pk: str) -> HttpResponse:
    data = {k: request.POST[k] for k in ("status", "deal_role", "next_step") if k in request.POST}
    if "contact" in request.POST:
        data["contact_id"] = request.POST["contact"] or None
    return _write(
        request,
        pk,
        lambda record: participation_update(
            actor=request.user,
            actor_membership=request.membership,
            record=record,
            data=data,
            expected_version=_version(request),
        ),
        "Your section is saved.",
    )


@require_POST
def shared_adopt(request: HttpRequest, pk: str) -> HttpResponse:
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    try:
        copy = shared_record_adopt(
            actor=request.user, actor_membership=request.membership, record=record
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect("shared_detail", pk=record.pk)
    messages.success(request, "Added to your pipeline. Your copy is private to your company.")
    return redirect("opportunity_detail", pk=copy.pk)


@require_POST
def shared_settings(request: HttpRequest, pk: str) -> HttpResponse:
    """The owner's switches on a shared record: participant visibility and re-sharing."""
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    allowed = shared_record_settings_update(
        actor=request.user,
        actor_company=request.tenant,
        record=record,
        restrict_participants=request.POST.get("restrict_participants") == "on",
        participants_may_share=request.POST.get("participants_may_share") == "on",
    )
    if not allowed:
        messages.error(
            request,
            "Your company's sharing policy doesn't let partners add further partners.",
        )
    messages.success(request, "Sharing settings saved.")
    return redirect("shared_detail", pk=record.pk)


@require_POST
def shared_comment(request: HttpRequest, pk: str) -> HttpResponse:
    internal = request.POST.get("thread") == "internal"
    service = internal_comment_add if internal else comment_add
    return _write(
        request,
        pk,
        lambda record: service(
            actor=request.user,
            actor_membership=request.membership,
            record=record,
            body=request.POST.get("body", ""),
        ),
        "Internal note posted (only your company sees it)." if internal else "Comment posted.",
    )


def shared_inbox_export(request: HttpRequest) -> StreamingHttpResponse:
    """CSV of everything partners share with the company (same access function as the page),
    newest activity first, only the shared fields."""
    records = (
        shared_records_shared_with(user=request.user, company=request.tenant)
        .filter(archived_at__isnull=True)
        .select_related("owner")
        .order_by("-last_activity_at", "pk")
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(
            [
                "id",
                "kind",
                "owner",
                "title",
                "stage",
                "amount",
                "currency",
                "close_date",
                "last_activity_at",
            ]
        )
        for r in records.iterator(chunk_size=500):
            p = r.payload
            yield writer.writerow(
                [
                    r.pk,
                    r.kind,
                    r.owner.name,
                    r.title,
                    r.stage,
                    p.get("amount", ""),
                    p.get("currency", ""),
                    p.get("close_date", ""),
                    r.last_activity_at.isoformat(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="{request.tenant.slug}-shared-with-me.csv"'
    )
    return response

"""The owner's sharing panel, shared by every kind of record (opportunities, solutions,
marketing plans): put a partner on the list, take one off, pick named people, see the list.
Each record app's view loads its own record and calls these with a publish callable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from approvals.selectors import pending_requests_of_record
from approvals.services import share_or_request
from business.policy import sharing_policy
from identity.models import User
from sharing.models import SharedRecord
from sharing.network.selectors import active_partners, directory_company_get
from sharing.records.access import owned_shared_record, participations_of_owned_record
from sharing.records.forms import ShareForm
from sharing.records.selectors import comments_visible, sharing_list_of
from sharing.records.services.publish import publishable_payload
from sharing.records.services.sharing import participation_deal_role_assign, sharing_entry_remove
from sharing.records.services.withholding import withheld_from_partner
from sharing.records.withholding import payload_without
from tenants.models import Company


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def share_panel_context(
    request: HttpRequest, *, shared_record_id, kind: str = "", source_id=None
) -> dict:  # type: ignore[no-untyped-def]
    """What a record page needs to show its sharing list, the parts partners play in the deal,
    shares waiting for approval, and the share form."""
    record = owned_shared_record(company=request.tenant, shared_record_id=shared_record_id)
    sharing_list = (
        sharing_list_of(record=record, viewer_company=request.tenant, viewer_is_owner=True)
        if record
        else []
    )
    if record is not None:
        parts = participations_of_owned_record(record=record)
        for entry in sharing_list:
            entry["participation"] = parts.get(entry["company"].pk)
    on_list = {entry["company"].pk for entry in sharing_list}
    partners = list(active_partners(company=request.tenant))
    return {
        "record": record,
        "record_kind": kind,
        "pending_requests": pending_requests_of_record(source_id=source_id),
        "deal_role_choices": ShareForm.base_fields["deal_role"].choices,
        "sharing_list": sharing_list,
        "share_form": ShareForm(
            partners=[p for p in partners if p.pk not in on_list],
            initial={"role": sharing_policy().default_role},
        ),
        "preview_partners": partners,
    }


def share_from_request(
    request: HttpRequest,
    *,
    publish: Callable[[], SharedRecord],
    kind: str,
    source_id,  # type: ignore[no-untyped-def]
    title: str,
) -> None:
    """Handles the share form: publishes the record (the only door out of the schema) and puts
    the chosen partner on its list, in one transaction; or, when the approval policy asks,
    files a request for an approver instead. Reports the outcome as a message."""
    partners = list(active_partners(company=request.tenant))
    partner = next((p for p in partners if p.slug == request.POST.get("partner")), None)
    people = (
        list(User.objects.filter(memberships__company=partner, is_service_account=False))
        if partner
        else []
    )
    form = ShareForm(request.POST, partners=partners, people=people)
    if not form.is_valid():
        messages.error(request, "Choose an active partner and a role to share with.")
        return
    chosen = [u for u in people if str(u.pk) in form.cleaned_data["users"]]
    try:
        pending = share_or_request(
            actor=request.user,
            actor_membership=request.membership,
            kind=kind,
            source_id=source_id,
            title=title,
            publish=publish,
            partner=partner,
            role=form.cleaned_data["role"],
            users=chosen,
            deal_role=form.cleaned_data.get("deal_role") or "",
            note=form.cleaned_data.get("note") or "",
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        whom = ", ".join(u.get_full_name() for u in chosen) or f"everyone at {partner.name}"
        if pending is None:
            messages.success(request, f"Shared with {whom}.")
        else:
            messages.info(
                request,
                f"Sharing with {whom} needs approval ({'; '.join(pending.reasons)}). "
                "We asked the approvers; nothing is shared until one of them approves.",
            )


def unshare_from_request(request: HttpRequest, *, shared_record_id, slug: str) -> None:  # type: ignore[no-untyped-def]
    record = owned_shared_record(company=request.tenant, shared_record_id=shared_record_id)
    partner = directory_company_get(slug=slug)
    try:
        if record is None:
            raise ValidationError("This record is not shared.")
        sharing_entry_remove(
            actor=request.user, actor_membership=request.membership, record=record, partner=partner
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, f"{partner.name} no longer sees this {record.kind_label.lower()}."
        )


def share_people_response(request: HttpRequest) -> HttpResponse:
    """htmx: the people of the chosen active partner, to share with named people only."""
    partner = next(
        (
            p
            for p in active_partners(company=request.tenant)
            if p.slug == request.GET.get("partner")
        ),
        None,
    )
    people = (
        list(
            User.objects.filter(memberships__company=partner, is_service_account=False).order_by(
                "full_name"
            )
        )
        if partner
        else []
    )
    return render(
        request,
        "sharing/_share_people.html",
        {"form": ShareForm(partners=[partner] if partner else [], people=people)},
    )


def _previewable_partner(
    request: HttpRequest, *, record: SharedRecord | None, slug: str
) -> Company:
    """The company a "view as" may show: one the record could be shared with (an active
    partner) or one already on its list. Any other slug answers 404, exactly like a slug
    that names no company, so the page says nothing about companies we don't work with."""
    for partner in active_partners(company=request.tenant):
        if partner.slug == slug:
            return partner
    if record is not None:
        for entry in sharing_list_of(
            record=record, viewer_company=request.tenant, viewer_is_owner=True
        ):
            if entry["company"].slug == slug and entry["company"].pk != request.tenant.pk:
                return entry["company"]
    raise Http404("No such partner.")


def preview_response(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    fields: dict,
    shared_record_id,
    partner_slug: str,
    back_url: str,
) -> HttpResponse:  # type: ignore[no-untyped-def]
    """ "View as": what a partner's people would be shown of a record — the fields the publish
    step and the owner's field policy let through to that partner, the participants and the
    comments they may see — computed with the same steps as the real thing, without writing
    anything. It is drawn in the owner's words: the partner's own stage names, labels and field
    mappings are its private configuration, and this page never reads the partner's schema."""
    record = owned_shared_record(company=request.tenant, shared_record_id=shared_record_id)
    partner = _previewable_partner(request, record=record, slug=partner_slug)
    payload = publishable_payload(company=request.tenant, kind=kind, fields=fields)
    payload = payload_without(
        payload,
        withheld_from_partner(owner=request.tenant, partner=partner, kind=kind, record=record),
    )
    preview = SharedRecord(
        owner=request.tenant,
        kind=kind,
        title=title,
        stage=payload.get("stage", ""),
        payload=payload,
        restrict_participants=record.restrict_participants if record else False,
    )
    if record is not None:
        preview.pk = record.pk
        entries = sharing_list_of(record=record, viewer_company=partner, viewer_is_owner=False)
        comments = comments_visible(record=record, viewer_company=partner, viewer_is_owner=False)
    else:
        entries = [{"company": request.tenant, "role": "owner", "people": []}]
        comments = []
    on_list = any(e["company"].pk == partner.pk for e in entries)
    if not on_list:
        entries.append({"company": partner, "role": "(not shared yet)", "people": []})
    return render(
        request,
        "sharing/preview.html",
        {
            "partner": partner,
            "record": preview,
            "back_url": back_url,
            "shared_custom": list(preview.payload.get("custom") or []),
            "sharing_list": entries,
            "comments": comments,
            "on_list": on_list,
        },
    )


def share_urlpatterns(
    *,
    prefix: str,
    name: str,
    load: Callable[[str], Any],
    publish: Callable[[HttpRequest, Any], SharedRecord],
    detail: str,
    kind: str,
    preview_fields: Callable[[Any], tuple[str, dict]],
) -> list:
    """The three sharing routes of a record kind (share, pick people, remove a partner),
    named <name>_share, <name>_share_people and <name>_unshare. `load` fetches the record in
    the current schema (404 if it is not there); `publish` makes its network copy;
    `preview_fields` gives (title, all fields) for "view as" (<name>_preview)."""
    from django.shortcuts import redirect
    from django.urls import path, reverse
    from django.views.decorators.http import require_POST

    @require_POST
    def share(request: HttpRequest, pk: str) -> HttpResponse:
        obj = load(pk)
        share_from_request(
            request,
            publish=lambda: publish(request, obj),
            kind=kind,
            source_id=obj.pk,
            title=preview_fields(obj)[0],
        )
        return redirect(detail, pk=obj.pk)

    @require_POST
    def deal_role(request: HttpRequest, pk: str, slug: str) -> HttpResponse:
        obj = load(pk)
        record = owned_shared_record(company=request.tenant, shared_record_id=obj.shared_record_id)
        partner = directory_company_get(slug=slug)
        try:
            if record is None:
                raise ValidationError("This record is not shared.")
            participation_deal_role_assign(
                actor=request.user,
                actor_membership=request.membership,
                record=record,
                partner=partner,
                deal_role=request.POST.get("deal_role", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"Saved {partner.name}'s part in the deal.")
        return redirect(detail, pk=obj.pk)

    @require_POST
    def unshare(request: HttpRequest, pk: str, slug: str) -> HttpResponse:
        obj = load(pk)
        unshare_from_request(request, shared_record_id=obj.shared_record_id, slug=slug)
        return redirect(detail, pk=obj.pk)

    def people(request: HttpRequest, pk: str) -> HttpResponse:
        load(pk)
        return share_people_response(request)

    def preview(request: HttpRequest, pk: str, slug: str) -> HttpResponse:
        obj = load(pk)
        title, fields = preview_fields(obj)
        return preview_response(
            request,
            kind=kind,
            title=title,
            fields=fields,
            shared_record_id=obj.shared_record_id,
            partner_slug=slug,
            back_url=reverse(detail, kwargs={"pk": obj.pk}),
        )

    return [
        path(f"{prefix}<uuid:pk>/preview/<slug:slug>/", preview, name=f"{name}_preview"),
        path(f"{prefix}<uuid:pk>/share/", share, name=f"{name}_share"),
        path(f"{prefix}<uuid:pk>/share/people/", people, name=f"{name}_share_people"),
        path(f"{prefix}<uuid:pk>/share/<slug:slug>/remove/", unshare, name=f"{name}_unshare"),
        path(
            f"{prefix}<uuid:pk>/share/<slug:slug>/deal-role/",
            deal_role,
            name=f"{name}_deal_role",
        ),
    ]

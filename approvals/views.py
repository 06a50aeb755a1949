"""The approvals inbox (approvers decide, sharers follow their requests) and the approval
policy settings page. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from approvals.forms import ApprovalRuleForm
from approvals.models import ApprovalRule, RequestStatus
from approvals.selectors import (
    approver_roles_for,
    request_get_for_member,
    requests_visible_to,
    requests_waiting_for,
)
from approvals.services import (
    approval_rule_create,
    approval_rule_remove,
    approval_rule_set_active,
    share_request_approve,
    share_request_reject,
    share_request_withdraw,
)
from business.withholding import UNCLASSIFIED
from identity.models import User
from kinds import kind_get
from partners.relationships.selectors import partner_type_terms
from sharing.records.kinds import kind_detail_url_name
from tenants.decorators import admin_required
from ui.forms import form_errors_add


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def _decorate(requests: list) -> list:  # type: ignore[type-arg]
    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={r.requested_by_id for r in requests} | {r.decided_by_id for r in requests}
        )
    }
    for r in requests:
        r.requester = people.get(r.requested_by_id)
        r.decider = people.get(r.decided_by_id)
        detail = kind_detail_url_name(r.kind)
        try:
            r.record_url = reverse(detail, args=[r.source_id]) if detail else ""
        except NoReverseMatch:
            r.record_url = ""
    return requests


def approvals_inbox(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    waiting = list(requests_waiting_for(membership=membership))
    mine = list(
        requests_visible_to(membership=membership)
        .filter(requested_by_id=request.user.pk)
        .order_by("-created_at")[:50]
    )
    decided = (
        list(
            requests_visible_to(membership=membership)
            .exclude(status=RequestStatus.PENDING)
            .exclude(requested_by_id=request.user.pk)
            .order_by("-decided_at")[:25]
        )
        if approver_roles_for(membership)
        else []
    )
    _decorate(waiting + mine + decided)
    return render(
        request,
        "approvals/inbox.html",
        {
            "waiting": waiting,
            "mine": mine,
            "decided": decided,
            "is_approver": bool(approver_roles_for(membership)),
        },
    )


def _decide(request: HttpRequest, pk: str, service, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    share_request = request_get_for_member(membership=request.membership, pk=pk)
    try:
        service(share_request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success.format(r=share_request))
    return redirect("approvals")


def _decision_view(service, success: str):  # type: ignore[no-untyped-def]
    @require_POST
    def view(request: HttpRequest, pk: str) -> HttpResponse:
        return _decide(
            request,
            pk,
            lambda r: service(
                actor=request.user,
                actor_membership=request.membership,
                request=r,
                comment=request.POST.get("comment", ""),
            ),
            success,
        )

    return view


approve_view = _decision_view(
    share_request_approve, "Approved: “{r.title}” is now shared with {r.partner_name}."
)
reject_view = _decision_view(
    share_request_reject, "Rejected. {r.partner_name} does not get “{r.title}”."
)
withdraw_view = _decision_view(share_request_withdraw, "Withdrawn.")


def _partner_type_choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in partner_type_terms()] + [(UNCLASSIFIED, "Not classified yet")]


@admin_required
def approval_rules_page(request: HttpRequest) -> HttpResponse:
    choices = _partner_type_choices()
    form = ApprovalRuleForm(request.POST or None, partner_types=choices)
    if request.method == "POST" and form.is_valid():
        try:
            rule = approval_rule_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the approval rule “{rule.name}”.")
            return redirect("approval_rules")
    labels = dict(choices)
    rules = list(ApprovalRule.objects.all())
    for rule in rules:
        rule.type_labels = [labels.get(t, t) for t in rule.partner_types]
        spec = kind_get(rule.object_type)
        rule.kind_label = spec.plural.lower() if spec is not None else rule.object_type
    return render(
        request, "approvals/rules.html", {"tab": "approvals", "form": form, "rules": rules}
    )


def _rule(pk: int) -> ApprovalRule:
    rule = ApprovalRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    return rule


@admin_required
@require_POST
def approval_rule_toggle_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(pk)
    approval_rule_set_active(actor=request.user, rule=rule, active=not rule.active)
    messages.success(
        request, f"“{rule.name}” is {'on' if rule.active else 'off'}: it applies to the next share."
    )
    return redirect("approval_rules")


@admin_required
@require_POST
def approval_rule_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(pk)
    approval_rule_remove(actor=request.user, rule=rule)
    messages.success(request, f"Removed “{rule.name}”. Requests it started stay in the inbox.")
    return redirect("approval_rules")

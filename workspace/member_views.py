"""Settings → Members: who belongs to the company, inviting colleagues, roles, removal and
signing a member out; Settings → Sessions: a person's own sessions on this host."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from identity.invitations import (
    InvitationResult,
    colleague_invitation_get_in_company,
    colleague_invitation_resend,
    colleague_invitation_revoke,
    colleague_invitations_open,
    colleague_invitations_send,
)
from identity.sessions import (
    member_sessions_end,
    session_end_one,
    session_get_of_user,
    sessions_end,
    sessions_of_user,
)
from identity.throttles import TOO_MANY_INVITATIONS, attempt_count
from tenants.decorators import admin_only_response, admin_required
from tenants.domains import network_url
from tenants.models import Role
from tenants.selectors import members_of_company, membership_get_in_company
from tenants.services.memberships import membership_remove, membership_role_change
from ui.forms import error_text, form_errors_add
from workspace.forms import MembershipRoleForm


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        max_length=10_000,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": "ben@example.com, Jo Smith <jo@example.com>"}
        ),
        help_text="One or many, separated by commas or new lines (up to 50).",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    message = forms.CharField(
        label="A note to include",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _members_page(request: HttpRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    company = request.tenant
    is_admin = request.membership.is_admin
    return render(
        request,
        "workspace/settings_members.html",
        {
            "members": list(members_of_company(company=company)),
            "invitations": list(colleague_invitations_open(company=company)) if is_admin else [],
            "invite_form": invite_form,
            "tab": "members",
            "role_form": MembershipRoleForm(),
        },
        status=status,
    )


def settings_members(request: HttpRequest) -> HttpResponse:
    return _members_page(request, InviteForm())


@require_POST
@admin_required
def members_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, form, status=400)
    if not attempt_count(request, action="colleague_invitation", user=request.user):
        form.add_error(None, TOO_MANY_INVITATIONS)
        return _members_page(request, form, status=429)
    try:
        outcomes = colleague_invitations_send(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            emails=form.cleaned_data["emails"],
            role=form.cleaned_data["role"],
            message=form.cleaned_data["message"],
        )
    except PermissionDenied as exc:
        form.add_error(None, error_text(exc))
        return _members_page(request, form, status=403)
    except ValidationError as exc:
        form_errors_add(form, exc)
        return _members_page(request, form, status=400)
    by_result: dict[str, list[str]] = {}
    for outcome in outcomes:
        by_result.setdefault(outcome.result, []).append(outcome.email)
    if invited := by_result.get(InvitationResult.INVITED):
        messages.success(request, f"Invitation sent to {', '.join(invited)}.")
    if resent := by_result.get(InvitationResult.RESENT):
        messages.success(request, f"Invited before, sent again: {', '.join(resent)}.")
    if members := by_result.get(InvitationResult.MEMBER):
        messages.info(request, f"Already members, not invited: {', '.join(members)}.")
    return redirect("settings_members")


# Object routes look the object up before checking the role: an id of another company's is a
# 404 for everyone, so no role learns which ids exist.
@require_POST
def invitation_resend(request: HttpRequest, pk: str) -> HttpResponse:
    invitation = colleague_invitation_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    if not attempt_count(request, action="colleague_invitation", user=request.user):
        messages.error(request, TOO_MANY_INVITATIONS)
        return redirect("settings_members")
    try:
        colleague_invitation_resend(
            actor=request.user, actor_membership=request.membership, invitation=invitation
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}.")
    return redirect("settings_members")


@require_POST
def invitation_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    invitation = colleague_invitation_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    try:
        colleague_invitation_revoke(
            actor=request.user, actor_membership=request.membership, invitation=invitation
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, f"Invitation to {invitation.email} withdrawn; its link no longer works."
        )
    return redirect("settings_members")


@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = membership_get_in_company(company=request.tenant, pk=pk)
    form = MembershipRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the roles: owner, admin or member.")
        membership_role_change(
            actor=request.user,
            actor_membership=request.membership,
            membership=target,
            role=form.cleaned_data["role"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{target.user} is now {target.get_role_display().lower()}.")
    return redirect("settings_members")


@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = membership_get_in_company(company=request.tenant, pk=pk)
    try:
        membership_remove(
            actor=request.user, actor_membership=request.membership, membership=target
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("settings_members")
    messages.success(
        request,
        f"{target.user} no longer belongs to {request.tenant.name}; their sessions and tokens "
        "here have ended.",
    )
    if target.user_id == request.user.pk:
        return redirect(network_url("/"))
    return redirect("settings_members")


@require_POST
def member_sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    """Ends every session the member has on this company's host (each device)."""
    target = membership_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    keep = request.session.session_key if target.user_id == request.user.pk else None
    ended = member_sessions_end(actor=request.user, membership=target, keep_key=keep)
    messages.success(
        request, f"{target.user} is signed out of {request.tenant.name} on every device ({ended})."
    )
    return redirect("settings_members")


def settings_sessions(request: HttpRequest) -> HttpResponse:
    sessions = list(sessions_of_user(user=request.user, company_id=request.tenant.pk))
    return render(
        request,
        "workspace/settings_sessions.html",
        {"sessions": sessions, "current_key": request.session.session_key, "tab": "sessions"},
    )


@require_POST
def session_end(request: HttpRequest, pk: str) -> HttpResponse:
    row = session_get_of_user(user=request.user, company_id=request.tenant.pk, pk=pk)
    if row is None or row.session_key == request.session.session_key:
        raise Http404("No such session.")
    session_end_one(session=row)
    messages.success(request, "That session is signed out.")
    return redirect("settings_sessions")


@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = sessions_end(
        user=request.user, company_id=request.tenant.pk, keep_key=request.session.session_key
    )
    messages.success(request, f"Signed out of {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("settings_sessions")

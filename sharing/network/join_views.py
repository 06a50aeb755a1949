"""The network host's side of an e-mail partner invitation: /join/<token>/."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sharing.network.services.invitations import partner_invitation_get, partner_invitation_redeem
from tenants.models import Role
from tenants.selectors import memberships_of_user
from tenants.services.handoff import handoff_issue


def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = partner_invitation_get(str(token))
    if invitation is None:
        return render(request, "sharing/join_invalid.html", status=404)
    if not request.user.is_authenticated:
        # Remembered through sign-up (or log-in) so the new company lands in the partnership.
        request.session["partner_invitation"] = str(invitation.pk)
        return render(request, "sharing/join.html", {"invitation": invitation, "companies": []})
    companies = [
        m.company
        for m in memberships_of_user(user=request.user)
        if m.role in (Role.OWNER, Role.ADMIN)
    ]
    companies = [c for c in companies if c.pk != invitation.inviter_id]
    if request.method == "POST":
        company = next((c for c in companies if c.slug == request.POST.get("company")), None)
        if company is None:
            raise Http404("No such company of yours.")
        partnership = partner_invitation_redeem(
            actor=request.user, company=company, token=str(invitation.pk)
        )
        if partnership is None:
            messages.error(request, "That invitation can no longer be used.")
            return redirect("network_home")
        return redirect(handoff_issue(user=request.user, company=company, next_path="/partners/"))
    request.session["partner_invitation"] = str(invitation.pk)
    return render(request, "sharing/join.html", {"invitation": invitation, "companies": companies})

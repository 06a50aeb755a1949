"""A person's pages outside any workspace: the network home with their workspaces, creating
another company (finishing a sign-up's intent), and moving between hosts with a handoff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from identity.forms import CompanyCreateForm
from identity.models.sessions import AuthMethod
from identity.sessions import session_auth_mark
from identity.signup import signup_intent_discard, signup_intent_of
from identity.sso.enforcement import password_allowed, refusal_text
from tenants.hooks import invitation_redeem
from tenants.selectors import company_get_for_member, memberships_of_user
from tenants.services.companies import company_create
from tenants.services.handoff import handoff_issue, handoff_redeem


def network_home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "network/landing.html")
    memberships = list(memberships_of_user(user=request.user))
    return render(request, "network/workspaces.html", {"memberships": memberships})


@login_required
def company_new(request: HttpRequest) -> HttpResponse:
    # Back from sign-up when the address asked for was taken while the e-mail was verified:
    # ask again with what the person typed.
    intent = signup_intent_of(user=request.user)
    initial = (
        {"company_name": intent.company_name, "company_slug": intent.company_slug}
        if intent
        else None
    )
    form = CompanyCreateForm(request.POST or None, initial=initial)
    if intent and request.method == "GET":
        messages.info(
            request,
            f"Your account is ready, but {intent.company_slug} was taken while you confirmed "
            "your e-mail. Choose another address and your workspace opens.",
        )
    if request.method == "POST" and form.is_valid():
        try:
            company = company_create(
                actor=request.user,
                name=form.cleaned_data["company_name"],
                slug=form.cleaned_data["company_slug"],
                website=form.cleaned_data["website"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            form.add_error("company_slug", exc)
        else:
            signup_intent_discard(user=request.user)
            messages.success(request, f"{company.name} is ready.")
            next_path = "/"
            token = request.session.pop("partner_invitation", None)
            if token and invitation_redeem(actor=request.user, company=company, token=token):
                next_path = "/partners/"
            return redirect(handoff_issue(user=request.user, company=company, next_path=next_path))
    return render(request, "network/company_new.html", {"form": form})


@login_required
@require_GET
def company_switch(request: HttpRequest, slug: str) -> HttpResponse:
    company = company_get_for_member(user=request.user, slug=slug)
    url = handoff_issue(user=request.user, company=company, next_path=request.GET.get("next", "/"))
    if url is None:
        raise Http404("No such workspace.")
    return redirect(url)


@require_GET
def handoff_redeem_view(request: HttpRequest) -> HttpResponse:
    try:
        ticket = handoff_redeem(ticket_id=request.GET.get("ticket", ""), company=request.tenant)
    except ValidationError:  # not a UUID
        ticket = None
    if ticket is None:
        messages.error(request, "That sign-in link has expired. Please sign in again.")
        return redirect("account_login")
    already_here = request.user.is_authenticated and request.user.pk == ticket.user_id
    if not already_here and not password_allowed(
        company_id=request.tenant.pk, user_id=ticket.user_id
    ):
        # the company signs its members in through its IdP: a session from another host
        # does not count here
        messages.info(request, refusal_text(request.tenant))
        return redirect("account_login")
    if not already_here:
        login(request, ticket.user, backend="django.contrib.auth.backends.ModelBackend")
        session_auth_mark(request, method=AuthMethod.HANDOFF)
    return redirect(ticket.next_path)

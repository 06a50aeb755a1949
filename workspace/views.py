"""The pages of a company's workspace. Thin: they parse, call a service or selector, render.
MembershipRequiredMiddleware has already set request.membership for every page here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from audit.export import audit_csv_rows
from audit.selectors import audit_events_of_company, company_audit_entries
from identity.models import PersonalAccessToken
from identity.service_account_forms import TokenForm
from identity.throttles import TOO_MANY_TOKENS, attempt_count
from identity.tokens import token_create, token_revoke
from tenants.decorators import admin_required
from tenants.services.companies import company_profile_update
from ui.forms import form_errors_add
from ui.resubmit import form_once_value, form_resent
from workspace.forms import CompanyProfileForm, WorkspaceSettingsForm
from workspace.services import workspace_settings_get, workspace_settings_update


@admin_required
def settings_profile(request: HttpRequest) -> HttpResponse:
    company = request.tenant
    form = CompanyProfileForm(request.POST or None, initial=CompanyProfileForm.initial_for(company))
    if request.method == "POST" and form.is_valid():
        try:
            company_profile_update(actor=request.user, company=company, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Company profile saved.")
            return redirect("settings_profile")
    return render(request, "workspace/settings_profile.html", {"form": form, "tab": "profile"})


@admin_required
def settings_workspace(request: HttpRequest) -> HttpResponse:
    current = workspace_settings_get()
    initial = {
        "default_currency": current.default_currency,
        "fiscal_year_start_month": current.fiscal_year_start_month,
        "timezone": current.timezone,
    }
    form = WorkspaceSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            workspace_settings_update(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Workspace settings saved.")
            return redirect("settings_workspace")
    return render(request, "workspace/settings_workspace.html", {"form": form, "tab": "workspace"})


@admin_required
def settings_audit(request: HttpRequest) -> HttpResponse:
    network_events = audit_events_of_company(company=request.tenant)
    company_entries = company_audit_entries()
    return render(
        request,
        "workspace/settings_audit.html",
        {"network_events": network_events, "company_entries": company_entries, "tab": "audit"},
    )


@admin_required
def settings_audit_export(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        audit_csv_rows(company=request.tenant), content_type="text/csv"
    )
    filename = f"{request.tenant.slug}-audit-{timezone.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def settings_tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens for this company, each with scopes and an expiry. A new token's
    secret is shown on this response only; it is stored as a digest."""
    new_token = None
    form = TokenForm()
    status = 200
    if request.method == "POST" and form_resent(request):
        messages.info(
            request,
            "That form was sent already (the page was reloaded), so no new token was made. A "
            "token is shown only once: if you did not copy it, revoke it and make another.",
        )
    elif request.method == "POST":
        form = TokenForm(request.POST)
        if not form.is_valid():
            status = 400
        elif not attempt_count(request, action="token_create", user=request.user):
            form.add_error(None, TOO_MANY_TOKENS)
            status = 429
        else:
            days = form.cleaned_data["expires_in_days"]
            try:
                _, new_token = token_create(
                    actor=request.user,
                    company=request.tenant,
                    name=form.cleaned_data["name"],
                    expires_in_days=int(days) if days else None,
                    scopes=form.cleaned_data["scopes"],
                )
                form = TokenForm()
            except ValidationError as exc:
                form_errors_add(form, exc)
                status = 400
    tokens = PersonalAccessToken.objects.filter(user=request.user, company=request.tenant)
    response = render(
        request,
        "workspace/settings_tokens.html",
        {
            "tokens": tokens,
            "new_token": new_token,
            "tab": "tokens",
            "form": form,
            "once": form_once_value(),
        },
        status=status,
    )
    if new_token:  # a page that shows a token is kept by no cache
        add_never_cache_headers(response)
    return response


@require_POST
def settings_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = PersonalAccessToken.objects.filter(
        pk=pk, user=request.user, company=request.tenant
    ).first()
    if token is None:
        raise Http404("No such token.")
    token_revoke(actor=request.user, token=token)
    messages.success(
        request, f"Token “{token.name}” revoked. Integrations using it stop working now."
    )
    return redirect("settings_tokens")

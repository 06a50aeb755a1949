"""Settings → Service accounts and Settings → Provisioning (SCIM). Admins only. A new token is
shown on the response that made it and never again; reloading that response (which makes the
browser send its form again) makes nothing new."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from identity.models import DirectoryGroup, User
from identity.scim.directory import group_role_set
from identity.scim.selectors import directory_overview
from identity.scim.setup import scim_account_of, scim_disable, scim_token_issue
from identity.service_account_forms import RotateForm, ServiceAccountForm
from identity.service_accounts import (
    service_account_create,
    service_account_disable,
    service_account_get,
    service_account_rotate,
    service_account_update,
    service_accounts_of,
    tokens_of,
)
from identity.throttles import TOO_MANY_TOKENS, attempt_count
from tenants.decorators import admin_only_response, admin_required
from tenants.selectors import members_of_company
from ui.forms import error_text, form_errors_add
from ui.resubmit import form_once_value, form_resent

RESENT = (
    "That form was sent already (the page was reloaded), so {what} was made. A token is shown "
    "only once: if you did not copy it, rotate it."
)


def _no_store(response: HttpResponse, new_token: str | None) -> HttpResponse:
    """A page that shows a token is kept by no cache (browser, proxy)."""
    if new_token:
        add_never_cache_headers(response)
    return response


def _owners(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (str(m.user_id), f"{m.user.get_full_name()} ({m.get_role_display()})")
        for m in members_of_company(company=request.tenant)
    ]


def _owner(request: HttpRequest, pk: str) -> User | None:
    member = members_of_company(company=request.tenant).filter(user_id=pk).first() if pk else None
    return member.user if member else None


def _list_page(request: HttpRequest, form: ServiceAccountForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "identity/service_accounts.html",
        {
            "tab": "service_accounts",
            "accounts": list(service_accounts_of(request.tenant)),
            "form": form,
            "once": form_once_value(),
        },
        status=status,
    )


@admin_required
def settings_service_accounts(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _list_page(
            request,
            ServiceAccountForm(owners=_owners(request), initial={"owner": str(request.user.pk)}),
        )
    if form_resent(request):
        messages.info(request, RESENT.format(what="no new service account"))
        return redirect("settings_service_accounts")
    form = ServiceAccountForm(request.POST, owners=_owners(request))
    if not form.is_valid():
        return _list_page(request, form, status=400)
    if not attempt_count(request, action="token_create", user=request.user):
        form.add_error(None, TOO_MANY_TOKENS)
        return _list_page(request, form, status=429)
    data = form.cleaned_data
    try:
        account, plain = service_account_create(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            name=data["name"],
            description=data["description"],
            scopes=data["scopes"],
            role=data["role"],
            owner=_owner(request, data["owner"]),
            expires_in_days=int(data["expires_in_days"]) if data["expires_in_days"] else None,
        )
    except ValidationError as exc:
        form_errors_add(form, exc)
        return _list_page(request, form, status=400)
    return _detail_page(request, account, new_token=plain, status=201)


def _detail_page(request, account, *, form=None, new_token=None, status=200):  # type: ignore[no-untyped-def]
    form = form or ServiceAccountForm(
        owners=_owners(request),
        editing=True,
        initial={
            "name": account.name,
            "description": account.description,
            "scopes": account.scopes,
            "owner": str(account.owner_id or ""),
        },
    )
    response = render(
        request,
        "identity/service_account.html",
        {
            "tab": "service_accounts",
            "account": account,
            "tokens": list(tokens_of(account)),
            "form": form,
            "rotate_form": RotateForm(),
            "new_token": new_token,
            "once": form_once_value(),
        },
        status=status,
    )
    return _no_store(response, new_token)


def _account(request: HttpRequest, pk: str):  # type: ignore[no-untyped-def]
    account = service_account_get(request.tenant, pk)
    if account is None:
        raise Http404("No such service account.")
    return account


def service_account(request: HttpRequest, pk: str) -> HttpResponse:
    account = _account(request, pk)  # another company's id: 404 for everyone, then the role
    if not request.membership.is_admin:
        return admin_only_response(request)
    if request.method != "POST":
        return _detail_page(request, account)
    form = ServiceAccountForm(request.POST, owners=_owners(request), editing=True)
    if not form.is_valid():
        return _detail_page(request, account, form=form, status=400)
    data = form.cleaned_data
    try:
        service_account_update(
            actor=request.user,
            actor_membership=request.membership,
            account=account,
            name=data["name"],
            description=data["description"],
            scopes=data["scopes"],
            owner=_owner(request, data["owner"]),
        )
    except ValidationError as exc:
        form_errors_add(form, exc)
        return _detail_page(request, account, form=form, status=400)
    messages.success(request, f"“{account.name}” saved. Its tokens use the new scopes now.")
    return redirect("service_account", pk=account.pk)


@require_POST
def service_account_rotate_view(request: HttpRequest, pk: str) -> HttpResponse:
    account = _account(request, pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    if form_resent(request):
        messages.info(request, RESENT.format(what="no new token"))
        return redirect("service_account", pk=account.pk)
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how long the old token keeps working.")
        return redirect("service_account", pk=account.pk)
    try:
        plain = service_account_rotate(
            actor=request.user,
            actor_membership=request.membership,
            account=account,
            overlap_hours=form.cleaned_data["overlap_hours"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("service_account", pk=account.pk)
    return _detail_page(request, account, new_token=plain)


@require_POST
def service_account_disable_view(request: HttpRequest, pk: str) -> HttpResponse:
    account = _account(request, pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    service_account_disable(
        actor=request.user, actor_membership=request.membership, account=account
    )
    messages.success(request, f"“{account.name}” is disabled; its tokens stopped working.")
    return redirect("settings_service_accounts")


# -- provisioning (SCIM) ----------------------------------------------------------------------


def _provisioning_page(request: HttpRequest, *, new_token: str | None = None) -> HttpResponse:
    company = request.tenant
    account = scim_account_of(company)
    response = render(
        request,
        "identity/provisioning.html",
        {
            "tab": "provisioning",
            "account": account,
            "tokens": list(tokens_of(account)) if account else [],
            "scim_url": request.build_absolute_uri("/scim/v2/"),
            **directory_overview(company),
            "rotate_form": RotateForm(initial={"overlap_hours": 1}),
            "new_token": new_token,
            "once": form_once_value(),
        },
    )
    return _no_store(response, new_token)


@admin_required
def settings_provisioning(request: HttpRequest) -> HttpResponse:
    return _provisioning_page(request)


@require_POST
@admin_required
def provisioning_token(request: HttpRequest) -> HttpResponse:
    if form_resent(request):
        messages.info(request, RESENT.format(what="no new SCIM token"))
        return redirect("settings_provisioning")
    form = RotateForm(request.POST)
    overlap = form.cleaned_data["overlap_hours"] if form.is_valid() else 1
    try:
        plain = scim_token_issue(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            overlap_hours=overlap,
        )
    except PermissionDenied as exc:
        messages.error(request, error_text(exc))
        return redirect("settings_provisioning")
    return _provisioning_page(request, new_token=plain)


@require_POST
@admin_required
def provisioning_disable(request: HttpRequest) -> HttpResponse:
    scim_disable(actor=request.user, actor_membership=request.membership, company=request.tenant)
    messages.success(request, "Provisioning is off: the SCIM token stopped working.")
    return redirect("settings_provisioning")


@require_POST
def provisioning_group_role(request: HttpRequest, pk: str) -> HttpResponse:
    group = DirectoryGroup.objects.filter(company=request.tenant, pk=pk).first()
    if group is None:
        raise Http404("No such group.")
    if not request.membership.is_admin:
        return admin_only_response(request)
    try:
        group_role_set(
            actor=request.user,
            actor_membership=request.membership,
            group=group,
            role=request.POST.get("role", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Members of “{group.display_name}” now get their role from it.")
    return redirect("settings_provisioning")

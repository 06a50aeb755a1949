"""Settings → Single sign-on (connections, domains, enforcement) and the start of a sign-in
through a company's IdP. Thin: forms parse, identity.sso services decide."""

from __future__ import annotations

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.openid_connect import views as allauth_oidc_views
from allauth.socialaccount.providers.saml import views as allauth_saml_views
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from identity.models import SsoConnection, SsoPolicy, SsoProtocol
from identity.sessions import session_auth_of
from identity.sso.adapter import TESTING_KEY, connection_of
from identity.sso.connections import (
    connection_create,
    connection_enable,
    connection_get_in_company,
    connection_remove,
    connection_update,
    connections_of_company,
)
from identity.sso.domains import (
    domain_add,
    domain_get_in_company,
    domain_remove,
    domain_verify,
    domains_of_company,
)
from identity.sso.enforcement import enforcement_set
from identity.sso.forms import DomainForm, EnforcementForm, OidcConnectionForm, SamlConnectionForm
from identity.throttles import TOO_MANY_SSO_STARTS, attempt_count, client_key
from tenants.decorators import admin_only_response
from tenants.models import Membership, Role
from ui.forms import error_text, form_errors_add


def _form_class(protocol: str):  # type: ignore[no-untyped-def]
    return OidcConnectionForm if protocol == SsoProtocol.OIDC else SamlConnectionForm


def _enforcement_form(request: HttpRequest, data=None) -> EnforcementForm:  # type: ignore[no-untyped-def]
    company = request.tenant
    policy = SsoPolicy.objects.filter(company=company).first()
    form = EnforcementForm(
        data,
        initial={
            "required": bool(policy and policy.required),
            "break_glass": [str(pk) for pk in policy.break_glass.values_list("pk", flat=True)]
            if policy
            else [],
        },
    )
    owners = Membership.objects.filter(company=company, role=Role.OWNER).select_related("user")
    form.fields["break_glass"].choices = [(str(m.user_id), m.user.get_full_name()) for m in owners]
    return form


def settings_sso(request: HttpRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return admin_only_response(request)
    company = request.tenant
    return render(
        request,
        "identity/sso_settings.html",
        {
            "tab": "sso",
            "connections": list(connections_of_company(company=company)),
            "domains": list(domains_of_company(company=company)),
            "domain_form": DomainForm(),
            "enforcement_form": _enforcement_form(request),
        },
    )


def sso_connection_new(request: HttpRequest, protocol: str) -> HttpResponse:
    if not request.membership.is_admin:
        return admin_only_response(request)
    if protocol not in SsoProtocol.values:
        raise Http404("No such protocol.")
    form = _form_class(protocol)(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connection_create(
                actor=request.user,
                actor_membership=request.membership,
                protocol=protocol,
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                f"{connection.name} is saved. Give your IdP the addresses below, then press Test.",
            )
            return redirect("sso_connection", pk=connection.pk)
    return render(
        request,
        "identity/sso_connection_form.html",
        {"tab": "sso", "form": form, "protocol": protocol, "connection": None},
        status=400 if form.errors else 200,
    )


def _endpoints(request: HttpRequest, connection: SsoConnection) -> dict[str, str]:
    if connection.protocol == SsoProtocol.OIDC:
        return {
            "callback": request.build_absolute_uri(
                reverse("openid_connect_callback", kwargs={"provider_id": connection.provider_id})
            )
        }
    slug = connection.provider_id
    return {
        "acs": request.build_absolute_uri(reverse("saml_acs", args=[slug])),
        "entity_id": request.build_absolute_uri(reverse("saml_metadata", args=[slug])),
        "metadata": request.build_absolute_uri(reverse("saml_metadata", args=[slug])),
        "sls": request.build_absolute_uri(reverse("saml_sls", args=[slug])),
    }


def sso_connection(request: HttpRequest, pk: str) -> HttpResponse:
    connection = connection_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    initial = {
        f: getattr(connection, f)
        for f in _form_class(connection.protocol).base_fields
        if hasattr(connection, f)
    }
    initial.pop("oidc_client_secret", None)
    form = _form_class(connection.protocol)(
        request.POST or None, request.FILES or None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            connection_update(
                actor=request.user,
                actor_membership=request.membership,
                connection=connection,
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "Connection saved.")
            return redirect("sso_connection", pk=connection.pk)
    return render(
        request,
        "identity/sso_connection_form.html",
        {
            "tab": "sso",
            "form": form,
            "protocol": connection.protocol,
            "connection": connection,
            "endpoints": _endpoints(request, connection),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def sso_connection_test(request: HttpRequest, pk: str) -> HttpResponse:
    """Starts a real sign-in round trip that records what the IdP said instead of signing
    anyone in (identity.sso.adapter); works before the connection is switched on."""
    connection = connection_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    request.session[TESTING_KEY] = connection.provider_id
    return redirect("sso_start", provider_id=connection.provider_id)


@require_POST
def sso_connection_enable(request: HttpRequest, pk: str) -> HttpResponse:
    connection = connection_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    enabled = request.POST.get("enabled") == "1"
    try:
        connection_enable(
            actor=request.user,
            actor_membership=request.membership,
            connection=connection,
            enabled=enabled,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            f"{connection.name} is {'on: members can sign in with it' if enabled else 'off'}.",
        )
    return redirect("sso_connection", pk=connection.pk)


@require_POST
def sso_connection_remove(request: HttpRequest, pk: str) -> HttpResponse:
    connection = connection_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    connection_remove(
        actor=request.user, actor_membership=request.membership, connection=connection
    )
    messages.success(request, f"{connection.name} is removed.")
    return redirect("settings_sso")


@require_POST
def sso_domain_add(request: HttpRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return admin_only_response(request)
    form = DomainForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Enter a domain such as acme.com.")
        domain = domain_add(
            actor=request.user,
            actor_membership=request.membership,
            domain=form.cleaned_data["domain"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, f"Add the TXT record below to {domain.domain}'s DNS, then press Verify."
        )
    return redirect("settings_sso")


@require_POST
def sso_domain_verify(request: HttpRequest, pk: str) -> HttpResponse:
    domain = domain_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    if domain_verify(actor=request.user, actor_membership=request.membership, domain=domain):
        messages.success(request, f"{domain.domain} is verified.")
    else:
        messages.error(request, domain.last_error)
    return redirect("settings_sso")


@require_POST
def sso_domain_remove(request: HttpRequest, pk: str) -> HttpResponse:
    domain = domain_get_in_company(company=request.tenant, pk=pk)
    if not request.membership.is_admin:
        return admin_only_response(request)
    domain_remove(actor=request.user, actor_membership=request.membership, domain=domain)
    messages.success(request, f"{domain.domain} is removed.")
    return redirect("settings_sso")


@require_POST
def sso_enforcement(request: HttpRequest) -> HttpResponse:
    if not request.membership.is_admin:
        return admin_only_response(request)
    form = _enforcement_form(request, request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose owners from the list.")
        enforcement_set(
            actor=request.user,
            actor_membership=request.membership,
            required=form.cleaned_data["required"],
            break_glass=[int(pk) for pk in form.cleaned_data["break_glass"]],
            current_auth=session_auth_of(request)["method"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            "Single sign-on is required now."
            if form.cleaned_data["required"]
            else "Single sign-on is optional.",
        )
    return redirect("settings_sso")


@require_GET
def sso_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Sends the browser to the company's IdP (a GET, so no form-action rule stands between
    our page and the IdP's). Only switched-on connections, or the one this admin tests."""
    if not attempt_count(request, action="sso_start", key=client_key(request, provider_id)):
        return render(
            request,
            "identity/sso_refused.html",
            {"reason": TOO_MANY_SSO_STARTS},
            status=429,
        )
    connection = connection_of(request, provider_id)
    testing = request.session.get(TESTING_KEY) == provider_id
    if connection is None or not (connection.enabled or testing):
        raise Http404("No such sign-in.")
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    try:
        app = get_adapter().get_app(request, provider=provider_id)
    except SocialApp.DoesNotExist as exc:
        raise Http404("No such sign-in.") from exc
    provider = app.get_provider(request)
    try:
        return provider.redirect(request, process="login", next_url=next_url)
    except (requests.RequestException, ValueError, KeyError):
        # the IdP's discovery document did not answer, or answered nonsense
        return render(
            request,
            "identity/sso_refused.html",
            {
                "reason": f"{connection.name} did not answer. Try again in a few minutes; if "
                "it goes on, tell your company's admin."
            },
            status=502,
        )


def _idp_unreachable(request: HttpRequest) -> HttpResponse:
    return render(request, "socialaccount/authentication_error.html", status=502)


def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """allauth's OpenID Connect views, answering an IdP that is down (or an address the fetch
    guard refuses) with the failed-sign-in page: allauth reads the discovery document before
    its own error handling starts."""
    try:
        return allauth_oidc_views.login(request, provider_id)
    except requests.RequestException:
        return _idp_unreachable(request)


def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        return allauth_oidc_views.callback(request, provider_id)
    except requests.RequestException:
        return _idp_unreachable(request)


def saml_finish_acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """allauth's SAML ACS (second step), answering a Response that matches no sign-in this
    browser started with our refusal page instead of a bare 403: allauth checks InResponseTo
    against the request ids it stashed in the session, each usable once, and raises
    PermissionDenied for a replayed answer, one from another browser or an unknown request."""
    try:
        return allauth_saml_views.finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        return render(
            request,
            "identity/sso_refused.html",
            {
                "reason": "This answer from your identity provider does not belong to a sign-in "
                "started in this browser, or it was used already. Start the sign-in again."
            },
            status=403,
        )

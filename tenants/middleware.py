"""Routing by host, and the rule that only a company's members get into its workspace."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.routing_cache import company_for_host
from tenants.selectors import memberships_of_user

# Paths on a company's host that work without membership: signing in, and what signing in needs.
OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/reset/",
    "/accounts/confirm-email/",
    "/accounts/2fa/authenticate/",
    "/accounts/signup/",
    "/auth/handoff/",
    "/invitations/",
    # single sign-on: the start, and allauth's callback (OIDC) and ACS/metadata (SAML) routes
    "/sso/",
    "/accounts/oidc/",
    "/accounts/saml/",
    "/accounts/3rdparty/",
    # SCIM answers for itself: only the company's SCIM token is accepted there
    "/scim/",
    # a CRM's change notices: signed with the connection's secret (integrations.webhooks_in)
    "/integrations/hooks/",
    "/healthz",
    "/static/",
)


class CompanyDomainMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, but only to live companies, and an unknown host gets a
    page that helps (not a bare 404 or the landing page of somebody else)."""

    def get_tenant(self, domain_model, hostname):  # type: ignore[no-untyped-def]
        # Host names are case-insensitive (browsers lowercase them; other clients may not).
        company = company_for_host(hostname.lower())
        if company is None:
            raise domain_model.DoesNotExist(hostname)
        return company

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        connection.set_schema_to_public()
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        response = render(
            request,
            "errors/no_company.html",
            {"hostname": hostname, "base_domain": settings.BASE_DOMAIN},
            status=404,
        )
        return response


class MembershipRequiredMiddleware:
    """On a company's host: anonymous visitors are sent to sign in; signed-in users who are not
    members get a refusal page that names no data of the company. Sets request.membership."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        request.membership = None
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return self.get_response(request)
        path = request.path_info
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            if path.startswith("/api/"):
                return self.get_response(request)  # DRF answers 401/403 itself
            return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
        # One query serves both the gate and the header's company switcher.
        request.memberships = list(memberships_of_user(user=request.user))
        membership = next((m for m in request.memberships if m.company_id == tenant.pk), None)
        if membership is None:
            # 404 like every other "not yours" in the product; the page still says what to do.
            if path.startswith("/api/"):
                return JsonResponse({"detail": "Not found."}, status=404)
            return render(request, "errors/not_a_member.html", {"company": tenant}, status=404)
        membership.user = request.user  # the same person: no query when a view asks
        request.membership = membership
        return self.get_response(request)

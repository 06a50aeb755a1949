"""Per-request identity work on every host: keep the session's record (identity.sessions)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from identity.models.sessions import AuthMethod
from identity.sessions import session_auth_of, session_forget, session_record
from identity.sso.enforcement import password_allowed, refusal_text


class SessionRecordMiddleware:
    """After authentication: a signed-in browser session gets its UserSession row, naming the
    company whose host it is on. API requests with a token carry no session and are skipped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            tenant = getattr(request, "tenant", None)
            on_company = tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
            session_record(request, company_id=tenant.pk if on_company else None)
        return self.get_response(request)


class SsoEnforcementMiddleware:
    """On the host of a company that requires SSO: a session that did not come through its
    IdP (a password, a handoff from another host, an invitation link) is signed out on its
    next request, unless it is a break-glass owner's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            request.user.is_authenticated
            and hasattr(request, "session")
            and tenant is not None
            and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
            and session_auth_of(request)["method"] != AuthMethod.SSO
            and not password_allowed(company_id=tenant.pk, user_id=request.user.pk)
        ):
            text = refusal_text(tenant)
            session_forget(request)
            logout(request)
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": text}, status=401)
            messages.error(request, text)
            return redirect("account_login")
        return self.get_response(request)

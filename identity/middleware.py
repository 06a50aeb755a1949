"""Per-request identity work on every host: keep the session's record (identity.sessions)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from identity.sessions import session_record


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

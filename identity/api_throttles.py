"""The API's request budget, per token (DRF throttling): one integration that loops cannot use
up what another integration, or the people of the same company, have. Requests in a browser
session count per person; the budget lives in settings.API_RATE_PER_TOKEN."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class PerTokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE_PER_TOKEN

    def get_cache_key(self, request: Request, view) -> str | None:  # type: ignore[no-untyped-def]
        prefix = getattr(request.auth, "prefix", None)
        if prefix:
            ident = f"token-{prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return f"throttle_{self.scope}_{ident}"

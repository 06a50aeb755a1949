"""Who is calling /scim/v2/: the company's directory sync, by its token (a service account
of purpose "scim" on this company's host), or nobody. Wrong tokens are counted per client and
per token prefix, like API tokens; each token has a request budget."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from identity.models import PersonalAccessToken, User
from identity.scopes import SCIM
from identity.throttles import (
    TOO_MANY_SCIM_FAILURES,
    TOO_MANY_SCIM_REQUESTS,
    attempt_allowed,
    attempt_count,
    client_key,
)
from identity.tokens import token_authenticate
from tenants.models import Company


@dataclass(frozen=True)
class ScimCaller:
    company: Company
    user: User
    token: PersonalAccessToken


def _refusal(status: int, detail: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": str(status),
                "detail": detail,
            }
        ),
        status=status,
        content_type="application/scim+json",
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def scim_caller(request: HttpRequest) -> ScimCaller | HttpResponse:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    tenant = getattr(request, "tenant", None)
    key = client_key(request, getattr(tenant, "pk", "-"))
    if not attempt_allowed(request, action="scim_failed", key=key):
        return _refusal(429, TOO_MANY_SCIM_FAILURES)
    token = None
    if scheme.lower() == "bearer" and raw and isinstance(tenant, Company):
        token = token_authenticate(raw, company=tenant)
    if token is None or SCIM not in token.granted_scopes:
        attempt_count(request, action="scim_failed", key=key)
        return _refusal(
            401,
            "Send this company's SCIM token as “Authorization: Bearer …” "
            "(Settings → Provisioning).",
        )
    if not attempt_count(request, action="scim_request", key=token.prefix):
        return _refusal(429, TOO_MANY_SCIM_REQUESTS)
    return ScimCaller(company=tenant, user=token.user, token=token)

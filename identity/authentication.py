from rest_framework import authentication, exceptions

from identity.throttles import TOO_MANY_TOKEN_FAILURES, attempt_allowed, attempt_count
from identity.tokens import token_authenticate, token_prefix


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer eco_…` on the host of the company the token was made in.

    Failed attempts are counted per client and per token prefix across every host
    (identity.throttles); past the limit even a right token waits, so guessing cannot go on
    from another host or with another prefix."""

    keyword = "Bearer"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        key = token_prefix(raw)
        django_request = request._request
        if not attempt_allowed(django_request, action="api_token_failed", key=key):
            raise exceptions.Throttled(detail=TOO_MANY_TOKEN_FAILURES)
        tenant = getattr(django_request, "tenant", None)
        token = token_authenticate(raw, company=tenant) if tenant else None
        if token is None:
            attempt_count(django_request, action="api_token_failed", key=key)
            raise exceptions.AuthenticationFailed(
                "Invalid, expired or revoked token for this workspace."
            )
        return token.user, token

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword

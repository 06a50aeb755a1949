from rest_framework import authentication, exceptions

from identity.tokens import token_authenticate


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer eco_…` on the host of the company the token was made in."""

    keyword = "Bearer"

    def authenticate(self, request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        tenant = getattr(request._request, "tenant", None)
        token = (
            token_authenticate(header[len(self.keyword) + 1 :].strip(), company=tenant)
            if tenant
            else None
        )
        if token is None:
            raise exceptions.AuthenticationFailed(
                "Invalid, expired or revoked token for this workspace."
            )
        return token.user, token

    def authenticate_header(self, request):  # type: ignore[no-untyped-def]
        return self.keyword

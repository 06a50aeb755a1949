"""Attempt counters for what an attacker would repeat: sign-in, password reset, sign-up (all
allauth's own), "find my company", API tokens presented and created (ours, below).

One limiter for all of them: allauth's, configured in ACCOUNT_RATE_LIMITS, whose cache keys
are network-wide (tenants.cache), so a count made on one company's host holds on every other
host and on the base domain. Per client means per IP address as allauth determines it
(ALLAUTH_TRUSTED_PROXY_COUNT behind a load balancer); per key means per account (an e-mail
address, a token's public prefix); per user means per signed-in person."""

from __future__ import annotations

# allauth's public rate-limit API reads its settings but skips GET requests, and an API token
# arrives on GETs too; the internal function it wraps takes `limit_get`. Only this module
# depends on it.
from allauth.core.internal import ratelimit as _allauth_ratelimit
from django.http import HttpRequest

APP = "allauth.account"  # the settings our actions live in: ACCOUNT_RATE_LIMITS

TOO_MANY_TOKENS = "You have made many tokens in the last hour. Try again later, or reuse one."
TOO_MANY_TOKEN_FAILURES = (
    "Too many attempts with tokens that are not valid. Wait a few minutes, then check the "
    "token and the workspace address."
)


def mailbox_key(email: str) -> str:
    """One key per mailbox for per-address limits: case, quotes and a "+tag" in the local part
    name the same mailbox, so "T1+a@inv.example" counts as "t1@inv.example"."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.strip('"').split("+", 1)[0]
    return f"{local}@{domain}"


def pair_key(a: int, b: int) -> str:
    """One key for two companies, whichever asks."""
    return f"{min(a, b)}-{max(a, b)}"


TOO_MANY_SSO_STARTS = (
    "Many sign-ins were started from your network in the last minute. Wait a minute, then "
    "try again."
)
TOO_MANY_SCIM_FAILURES = (
    "Too many requests with a SCIM token that is not valid. Wait a few minutes."
)
TOO_MANY_SCIM_REQUESTS = "This SCIM token made too many requests in the last minute."

TOO_MANY_INVITATIONS = "You have sent many invitations in the last hour. Try again later."
TOO_MANY_PARTNER_INVITATIONS = (
    "You have invited this company (or many companies) several times recently. Try again later."
)


def client_key(request: HttpRequest, scope: object) -> str:
    """One client (IP address as allauth determines it) within one scope (a company, an IdP
    connection): IdPs provision every customer from shared addresses, so one company's stale
    token or one office's morning rush must not stop another's."""
    return f"{scope}:{_allauth_ratelimit.get_ip(request)}"


def attempt_allowed(request: HttpRequest, *, action: str, key: str | None = None) -> bool:
    """Whether another attempt is allowed now, without counting one."""
    return (
        _allauth_ratelimit.consume(
            request, app=APP, action=action, key=key, dry_run=True, limit_get=True
        )
        is not None
    )


def attempt_count(request: HttpRequest, *, action: str, key: str | None = None, user=None) -> bool:  # type: ignore[no-untyped-def]
    """Counts an attempt; False when the limit was already reached (nothing is counted)."""
    return (
        _allauth_ratelimit.consume(
            request, app=APP, action=action, key=key, user=user, limit_get=True
        )
        is not None
    )

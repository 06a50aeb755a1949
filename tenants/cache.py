"""Cache keys: per company by default, network-wide where a counter must not split by host.

django-tenants prefixes every key with the schema of the connection, so two companies never
read each other's cached labels or metrics. Security counters are the exception: a login,
password reset, sign-up or API token is one thing across the whole network, so their rate
limits (allauth's, which ours reuse), the host routing table and the session store use one key
on every host.
Without this an attacker got five password guesses per company host, and a lockout on one
host let the right password in on the next."""

from __future__ import annotations

from django_tenants.cache import make_key as tenant_make_key

# allauth's rate limits ("allauth:rl:<app>:<action>:…" and their ":lock" keys) and ours; the
# session store's cache (cached_db): a session is ended from wherever the ending happens (a
# member removed on one host, SCIM, a worker), so its cached copy must be found from there.
NETWORK_PREFIXES = ("allauth:rl:", "network:", "django.contrib.sessions.cached_db")
# Where a schema name stands in a tenant key; no schema can be called "*".
NETWORK_MARK = "*"


def make_key(key: str, key_prefix: str, version: int) -> str:
    if key.startswith(NETWORK_PREFIXES):
        return f"{NETWORK_MARK}:{key_prefix}:{version}:{key}"
    return tenant_make_key(key, key_prefix, version)


def reverse_key(key: str) -> str:
    return key.split(":", 3)[3]

"""Where a company lives: its host and the absolute URLs we build for it (e-mails, switcher)."""

from __future__ import annotations

import re

from django.conf import settings

# Addresses we will never hand to a company: infrastructure names and ones that would look
# like ours in a phishing e-mail.
RESERVED_SLUGS = frozenset(
    [
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "dashboard",
        "dev",
        "docs",
        "ecosystem",
        "help",
        "home",
        "login",
        "logout",
        "mail",
        "media",
        "network",
        "ns",
        "ns1",
        "ns2",
        "portal",
        "postgres",
        "public",
        "root",
        "security",
        "signup",
        "smtp",
        "sso",
        "staging",
        "static",
        "status",
        "support",
        "system",
        "template",
        "test",
        "www",
    ]
)
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def company_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _origin(host: str) -> str:
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{settings.PUBLIC_SCHEME}://{host}{port}"


def company_url(slug: str, path: str = "/") -> str:
    return _origin(company_host(slug)) + path


def network_url(path: str = "/") -> str:
    return _origin(settings.BASE_DOMAIN) + path

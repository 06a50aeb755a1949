"""Fetching what a company admin pointed us at (an OpenID discovery document, SAML metadata)
and what allauth fetches from their IdP at sign-in: only http(s), only public addresses
unless SSO_ALLOW_PRIVATE_ADDRESSES, bounded in time and size. An admin's URL must not turn our
servers into a probe of the private network (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

TIMEOUT = 8.0
MAX_BYTES = 1_000_000


class FetchRefused(requests.RequestException):
    """The URL is not one we fetch; the message says why, for the admin. A RequestException,
    so allauth's sign-in views answer it as a failed sign-in, like an IdP that is down."""


def url_check(url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchRefused("Enter a full https:// address.")
    if parts.scheme != "https" and not settings.SSO_ALLOW_PRIVATE_ADDRESSES:
        raise FetchRefused("The address must use https://.")
    if settings.SSO_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchRefused(f"{parts.hostname} does not resolve.") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchRefused(f"{parts.hostname} is not a public address.")


class GuardedSession(requests.Session):
    """A requests session that checks every URL (redirects included) before it connects."""

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        url_check(url)
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)

    def rebuild_auth(self, prepared_request, response):  # type: ignore[no-untyped-def]
        url_check(prepared_request.url)
        return super().rebuild_auth(prepared_request, response)


def idp_get(url: str) -> bytes:
    """The body at `url` (at most MAX_BYTES), or FetchRefused / requests' errors."""
    with GuardedSession() as session:
        response = session.get(url, stream=True)
        response.raise_for_status()
        body = response.raw.read(MAX_BYTES + 1, decode_content=True)
    if len(body) > MAX_BYTES:
        raise FetchRefused("The document is larger than 1 MB.")
    return body

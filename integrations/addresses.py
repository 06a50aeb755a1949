"""Where a connection may send requests. A company admin types the CRM's address; without
this check our servers would call whatever it names (an internal service, the cloud's
metadata address). Outside development, addresses that resolve to loopback, private,
link-local or reserved networks are refused; INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES opens them
for the demo and the tests, whose CRM runs on this machine."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global, and no IPv6 form that carries a private IPv4 address inside it (mapped, 6to4,
    NAT64), which `is_global` lets through on Python 3.11."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not embedded.is_global:
            return False
    return address.is_global


def crm_address_check(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ["Give the server's address, starting with https://."]})
    if parts.username or parts.password:
        raise ValidationError(
            {"url": ["Put the user and password in their own fields, not in the address."]}
        )
    if settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES:
        return
    if parts.scheme != "https":
        raise ValidationError(
            {"url": ["Use an https:// address: the credentials travel with every request."]}
        )
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(
            {"url": [f"{parts.hostname} can't be found: check the address."]}
        ) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not _is_public(address):
            raise ValidationError(
                {
                    "url": [
                        f"{parts.hostname} is not a public address; your CRM must be reachable from the internet."
                    ]
                }
            )

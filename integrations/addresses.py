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

from edge.addresses import address_is_public


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
        if not address_is_public(address):
            raise ValidationError(
                {
                    "url": [
                        f"{parts.hostname} is not a public address; your CRM must be reachable from the internet."
                    ]
                }
            )

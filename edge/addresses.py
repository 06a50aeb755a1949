"""Whether an address a company typed is on the public internet. Our servers send requests to
addresses company admins configure (a CRM, a webhook endpoint); without this check they would
call whatever those name — an internal service, the cloud's metadata address. The rooms that
send decide what to allow (a setting opens private networks for the demo and the tests) and
say it in their own words; this module only answers.

Python's `is_global` lets some IPv6 forms through that carry a private IPv4 address inside
them (mapped, 6to4, NAT64); they are refused here too."""

from __future__ import annotations

import ipaddress
import socket

NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_is_public(address: Address) -> bool:
    """Global, and no IPv6 form of a non-global IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not embedded.is_global:
            return False
    return address.is_global


class AddressUnknown(ValueError):
    """The host name does not resolve (or is not a name at all)."""


def host_addresses(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to now (an IP literal is its own address)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise AddressUnknown(host) from exc
    addresses: list[Address] = []
    for info in infos:
        # (a scoped IPv6 address comes back as "fe80::1%eth0")
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def host_is_public(host: str, port: int) -> bool:
    """Whether every address `host` resolves to is public; AddressUnknown if it resolves to
    none. One private answer is enough to refuse: a name that also points inside is not
    an outside server."""
    addresses = host_addresses(host, port)
    if not addresses:
        raise AddressUnknown(host)
    return all(address_is_public(a) for a in addresses)

"""A real DNS server on the loopback interface (dnslib) that answers TXT queries from a dict
the test fills: the network boundary of domain verification, without the internet."""

from __future__ import annotations

import socket

from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer


class TxtZone(BaseResolver):
    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}

    def publish(self, name: str, value: str) -> None:
        self.records.setdefault(name.lower().rstrip("."), []).append(value)

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        if request.q.qtype == QTYPE.TXT:
            for value in self.records.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=5))
        return reply


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalDns:
    """Started by the `dns_zone` fixture; points settings.DNS_RESOLVER at itself."""

    def __init__(self) -> None:
        self.zone = TxtZone()
        self.port = free_udp_port()
        self.server = DNSServer(self.zone, address="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.server.start_thread()

    def stop(self) -> None:
        self.server.stop()

"""The demo's DNS stand-in: a DNS server on the loopback interface (dnslib) that answers TXT
queries as if each company had published its verification record: for a domain waiting for
verification, the record our page asks for. ./run starts it and points DNS_RESOLVER at it, so
"Verify" works in the demo for any domain. Never for production: it proves nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from identity.models import EmailDomain

PREFIX = "_ecosystem-cloud."


class PendingDomainsZone(BaseResolver):
    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".").removeprefix(PREFIX)
        if request.q.qtype == QTYPE.TXT:
            close_old_connections()
            for domain in EmailDomain.objects.filter(domain=name, verified_at__isnull=True):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(domain.txt_value), ttl=5))
        return reply


class Command(BaseCommand):
    help = "Runs the demo's DNS stand-in (answers every pending domain verification)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--port", type=int, default=8053)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        server = DNSServer(PendingDomainsZone(), address="127.0.0.1", port=options["port"])
        server.start_thread()
        self.stdout.write(f"demo DNS stand-in on 127.0.0.1:{options['port']} (UDP)")
        while server.isAlive():
            time.sleep(1)

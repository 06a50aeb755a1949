"""A real HTTP receiver on the loopback interface (a ThreadingHTTPServer that records what it
was sent and answers as a test tells it), and endpoints made through the services."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django_tenants.utils import schema_context

from tenants.models import Membership
from tests.builders import CompanyWorld
from webhooks.models import (
    AttemptTrigger,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from webhooks.services import endpoint_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class Receiver:
    """Answers each POST with the next queued Answer (then 200 "ok")."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    answer = receiver.answers.pop(0) if receiver.answers else Answer()
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ecosystem"

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.received) >= count:
                return True
            time.sleep(0.05)
        return False

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def receiver_running() -> Iterator[Receiver]:
    receiver = Receiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


def admin_membership(world: CompanyWorld) -> Membership:
    return Membership.objects.select_related("company").get(company=world.company, user=world.admin)


def endpoint_make(
    world: CompanyWorld, url: str, event_types: list[str], description: str = "Our hub"
) -> WebhookEndpoint:
    with schema_context(world.company.schema_name):
        return endpoint_create(
            actor=world.admin,
            actor_membership=admin_membership(world),
            url=url,
            description=description,
            event_types=event_types,
        )


def webhook_plant(
    world: CompanyWorld, *, description: str = "Planted hub", url: str = "http://127.0.0.1:9/hook"
) -> dict[str, Any]:
    """An endpoint with one event, its delivery and an attempt, made without sending anything:
    for the pages' access tests."""
    from django.utils import timezone

    with schema_context(world.company.schema_name):
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            description=description,
            event_types=["opportunity.created", "record.shared"],
            secret="whsec_" + "A" * 43 + "=",
            created_by_id=world.admin.pk,
        )
        event = WebhookEvent.objects.create(
            type="webhook.test", occurred_at=timezone.now(), facts={"requested_by": "planted"}
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event=event,
            state=DeliveryState.FAILED,
            attempts=1,
            auto_retry=False,
            outcome="The endpoint answered 500.",
            last_status_code=500,
            finished_at=timezone.now(),
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=1,
            trigger=AttemptTrigger.TEST,
            started_at=timezone.now(),
            duration_ms=12,
            status_code=500,
            error="The endpoint answered 500.",
            request_body='{"type":"webhook.test"}',
        )
    return {"endpoint": endpoint, "delivery": delivery}

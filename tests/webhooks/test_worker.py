"""Through the real broker (Redis) and a real Celery worker: a partner's share becomes a task in
the receiving company's schema, which writes its event and queues the send, which the worker
delivers to a real receiver — every hop carrying the schema it was meant for."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from sharing.records.services.sharing import sharing_entry_set
from tests.builders import company_make, network_rows_restore
from tests.integrations.helpers import celery_queue
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make
from tests.webhooks.helpers import endpoint_make
from webhooks.models import DeliveryState, WebhookDelivery


def _close_thread_connections(**_kwargs) -> None:  # type: ignore[no-untyped-def]
    connections.close_all()  # the worker thread's own connection, so the test DB can be dropped


def _wait(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_partners_share_in_the_receiving_companys_schema(
    receiver, settings
):
    network_rows_restore(pool_size=0)
    owner, partner = company_make("wh-worker-own"), company_make("wh-worker-par")
    partners_make(owner, partner)
    endpoint = endpoint_make(partner, receiver.url, ["record.shared"])
    _, record = shared_opportunity_make(owner)
    queue = f"webhooks-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    task_postrun.connect(_close_thread_connections, weak=False)
    try:
        with celery_queue(queue) as app:
            sharing_entry_set(
                actor=owner.owner,
                actor_membership=membership(owner),
                record=record,
                partner=partner.company,
                role="viewer",
            )
            assert receiver.received == []  # queued, not sent inline
            with start_worker(
                app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
            ):
                assert receiver.wait_for(1, timeout=30), "the worker delivered nothing"

                def delivered() -> bool:
                    with schema_context(partner.company.schema_name):
                        return WebhookDelivery.objects.filter(
                            state=DeliveryState.SUCCEEDED
                        ).exists()

                assert _wait(delivered)
    finally:
        task_postrun.disconnect(_close_thread_connections)
    (got,) = receiver.received
    body = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert body["type"] == "record.shared" and body["data"]["record"]["id"] == str(record.pk)
    # the event lives in the partner's schema, and in no other
    with schema_context(owner.company.schema_name):
        assert not WebhookDelivery.objects.exists()

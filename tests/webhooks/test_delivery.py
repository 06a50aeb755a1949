"""Sending: signed per the Standard Webhooks spec (checked by a real receiver with the
standardwebhooks package), retried with backoff on 5xx, timeouts and 429 (Retry-After
honoured), not retried on a refusal or a redirect, given up after the schedule, resent with
the same webhook-id, both signatures during a secret's rotation, and an endpoint that keeps
failing switched off with its admins told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks import Webhook, WebhookVerificationError

from audit.company.models import AuditEntry
from tests.webhooks.helpers import Answer, admin_membership, endpoint_make
from webhooks.delivery import delivery_attempt, retry_after_seconds, retry_wait
from webhooks.events import event_record
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import delivery_resend, endpoint_test_event_send, secret_rotate
from webhooks.tasks import webhook_deliveries_due

pytestmark = pytest.mark.django_db

EVENTS = ["opportunity.created"]


def _test_event(world, endpoint) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return endpoint_test_event_send(
            actor=world.admin, actor_membership=admin_membership(world), endpoint=endpoint
        )


def _reload(world, delivery) -> WebhookDelivery:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)


def _attempts(world, delivery) -> list[WebhookAttempt]:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))


def _event_with_retries(world, endpoint, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A test event whose delivery is retried like any other (test events are sent once)."""
    with (
        django_capture_on_commit_callbacks(execute=True),
        schema_context(world.company.schema_name),
    ):
        event = event_record(
            event_type="webhook.test", facts={"requested_by": "test"}, endpoints=[endpoint]
        )
        WebhookDelivery.objects.filter(event=event).update(auto_retry=True)
        return WebhookDelivery.objects.get(event=event)


def test_a_test_event_arrives_signed_and_the_receiver_verifies_it(
    acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _test_event(acme, endpoint)
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.path == "/hooks/ecosystem"
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-id"] == delivery.webhook_id
    # the receiver's own check, with the secret the admin copied
    body = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert body["type"] == "webhook.test" and body["timestamp"].endswith("Z")
    assert body["data"]["endpoint"]["id"] == str(endpoint.pk)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "B" * 43 + "=").verify(got.body, got.headers)
    done = _reload(acme, delivery)
    assert done.state == DeliveryState.SUCCEEDED and done.attempts == 1
    assert done.last_status_code == 200 and done.endpoint.last_success_at
    (attempt,) = _attempts(acme, delivery)
    assert attempt.succeeded and attempt.response_excerpt == "ok" and attempt.duration_ms >= 0
    assert attempt.request_body.encode() == got.body


def test_a_server_error_is_retried_with_the_same_webhook_id_until_it_succeeds(
    acme, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.0, 0.0, 0.0]
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    receiver.answer(Answer(500, body=b"boom"), Answer(503))
    delivery = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 3
    assert {r.headers["webhook-id"] for r in receiver.received} == {delivery.webhook_id}
    for got in receiver.received:
        Webhook(endpoint.secret).verify(got.body, got.headers)
    attempts = _attempts(acme, delivery)
    assert [a.status_code for a in attempts] == [500, 503, 200]
    assert [a.trigger for a in attempts] == ["first", "retry", "retry"]
    assert attempts[0].response_excerpt == "boom" and attempts[0].retry_at is not None
    done = _reload(acme, delivery)
    assert done.state == DeliveryState.SUCCEEDED and done.attempts == 3
    assert done.endpoint.failing_since is None and done.endpoint.consecutive_failures == 0


def test_too_many_requests_waits_for_retry_after_then_the_sweep_sends_it(
    acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    receiver.answer(Answer(429, headers={"Retry-After": "120"}, body=b"slow down"))
    delivery = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    waiting = _reload(acme, delivery)
    assert waiting.state == DeliveryState.PENDING and waiting.attempts == 1
    assert waiting.next_attempt_at >= timezone.now() + dt.timedelta(seconds=110)
    assert "429" in waiting.outcome
    # not sent again before it is due, whoever asks
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_due() == 0
        with schema_context(acme.company.schema_name):
            assert delivery_attempt(delivery.pk) is None
    assert len(receiver.received) == 1
    with schema_context(acme.company.schema_name):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_due() == 1
    assert len(receiver.received) == 2
    assert receiver.received[1].headers["webhook-id"] == delivery.webhook_id
    assert _reload(acme, delivery).state == DeliveryState.SUCCEEDED


def test_retry_after_and_the_schedule(settings):
    now = timezone.now()
    assert retry_after_seconds("30", now) == 30
    http_date = (now + dt.timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 85 <= retry_after_seconds(http_date, now) <= 91
    assert retry_after_seconds("soon", now) is None
    settings.WEBHOOKS_RETRY_SCHEDULE = [5.0, 300.0]
    waits = [retry_wait(1, None) for _ in range(50)]
    assert all(4 <= w <= 6 for w in waits) and len(set(waits)) > 1  # jittered
    assert 240 <= retry_wait(2, None) <= 360
    assert retry_wait(3, None) is None  # the schedule is over: give up
    assert retry_wait(1, 600) == 600  # Retry-After is a floor
    settings.WEBHOOKS_RETRY_AFTER_MAX_SECONDS = 60
    assert retry_wait(1, 10_000) == 60  # capped


def test_refusals_and_redirects_are_not_retried(acme, receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    receiver.answer(Answer(400, body=b"bad"), Answer(302, headers={"Location": "http://10.0.0.1/"}))
    first = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    second = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2  # the redirect was not followed
    refused, redirected = _reload(acme, first), _reload(acme, second)
    assert refused.state == DeliveryState.FAILED and "400" in refused.outcome
    assert "resend" in refused.outcome
    assert redirected.state == DeliveryState.FAILED and "redirect" in redirected.outcome


def test_a_timeout_is_retried_and_the_schedule_ends_in_failure(
    acme, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_READ_TIMEOUT = 0.3
    settings.WEBHOOKS_RETRY_SCHEDULE = [0.0]
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    receiver.answer(Answer(200, delay=1.0), Answer(502))
    delivery = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    attempts = _attempts(acme, delivery)
    assert [a.status_code for a in attempts] == [None, 502]
    assert "did not answer within 0.3 seconds" in attempts[0].error
    done = _reload(acme, delivery)
    assert done.state == DeliveryState.FAILED and done.outcome.startswith("Gave up after 2")
    assert done.endpoint.consecutive_failures == 2 and done.endpoint.failing_since


def test_a_closed_port_is_a_failed_attempt_with_a_sentence(
    acme, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    endpoint = endpoint_make(acme, "http://127.0.0.1:9/nobody-listens", EVENTS)
    delivery = _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    (attempt,) = _attempts(acme, delivery)
    assert attempt.status_code is None and "could not be reached" in attempt.error


def test_resend_is_a_new_attempt_with_the_same_webhook_id(
    acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _test_event(acme, endpoint)
    with (
        django_capture_on_commit_callbacks(execute=True),
        schema_context(acme.company.schema_name),
    ):
        delivery_resend(
            actor=acme.admin,
            actor_membership=admin_membership(acme),
            delivery=_reload(acme, delivery),
        )
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.webhook_id] * 2
    assert [a.trigger for a in _attempts(acme, delivery)] == ["test", "resend"]
    with schema_context(acme.company.schema_name):
        assert AuditEntry.objects.filter(action="webhook.delivery_resent").exists()


def test_during_a_rotation_both_secrets_sign_and_afterwards_only_the_new_one(
    acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    old = endpoint.secret
    with schema_context(acme.company.schema_name):
        rotated = secret_rotate(
            actor=acme.admin,
            actor_membership=admin_membership(acme),
            endpoint=endpoint,
            grace_hours=24,
        )
    assert rotated.secret != old and rotated.previous_secret == old
    with django_capture_on_commit_callbacks(execute=True):
        _test_event(acme, rotated)
    during = receiver.received[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(during.body, during.headers)  # a receiver not switched over yet
    Webhook(rotated.secret).verify(during.body, during.headers)  # and one that has
    # the grace period ends: the old secret signs nothing more
    with schema_context(acme.company.schema_name):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    with django_capture_on_commit_callbacks(execute=True):
        _test_event(acme, rotated)
    after = receiver.received[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated.secret).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)
    with schema_context(acme.company.schema_name):
        entry = AuditEntry.objects.get(action="webhook.secret_rotated")
    assert old not in str(entry.after) and rotated.secret not in str(entry.after)


def test_a_rotation_without_grace_stops_the_old_secret_at_once(
    acme, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    old = endpoint.secret
    with schema_context(acme.company.schema_name):
        rotated = secret_rotate(
            actor=acme.admin,
            actor_membership=admin_membership(acme),
            endpoint=endpoint,
            grace_hours=0,
        )
    with django_capture_on_commit_callbacks(execute=True):
        _test_event(acme, rotated)
    got = receiver.received[-1]
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(got.body, got.headers)
    Webhook(rotated.secret).verify(got.body, got.headers)


def test_an_endpoint_failing_for_days_is_switched_off_and_its_admins_told(
    acme, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_SCHEDULE = []
    settings.WEBHOOKS_DISABLE_MIN_FAILURES = 3
    endpoint = endpoint_make(acme, receiver.url, EVENTS)
    receiver.answer(*[Answer(500)] * 3)
    for _ in range(2):
        _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    with schema_context(acme.company.schema_name):
        # the streak started long ago
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            failing_since=timezone.now() - dt.timedelta(days=6)
        )
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).enabled  # two failures: not yet
    mail.outbox.clear()
    _event_with_retries(acme, endpoint, django_capture_on_commit_callbacks)
    with schema_context(acme.company.schema_name):
        off = WebhookEndpoint.objects.get(pk=endpoint.pk)
        assert AuditEntry.objects.filter(action="webhook.endpoint_disabled").count() == 1
    assert not off.enabled
    assert "3 failed attempts in a row" in off.disabled_reason and "500" in off.disabled_reason
    (message,) = mail.outbox
    assert message.subject == "A webhook endpoint was switched off"
    assert set(message.to) == {acme.owner.email, acme.admin.email}
    assert f"/settings/webhooks/{endpoint.pk}/" in message.body
    # what comes next is not sent
    with (
        django_capture_on_commit_callbacks(execute=True),
        schema_context(acme.company.schema_name),
    ):
        event = event_record(
            event_type="opportunity.created", facts={}, endpoints=[off], record_kind="x"
        )
        skipped = WebhookDelivery.objects.get(event=event)
    assert _reload(acme, skipped).state == DeliveryState.NOT_SENT
    assert _reload(acme, skipped).outcome == "Not sent: the endpoint is switched off."
    assert len(receiver.received) == 3

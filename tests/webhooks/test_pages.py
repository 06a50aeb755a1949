"""Settings → Webhooks in the browser's terms (the test client on the company's host): an admin
adds an endpoint, reveals and rotates its secret, sends a test event to a real receiver, reads
the log and resends; bad input is a sentence; members get the admin-only page, other
companies nothing; the pages' query counts stay flat."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from audit.company.models import AuditEntry
from tests.builders import client_on
from tests.webhooks.helpers import endpoint_make, webhook_plant
from webhooks.models import (
    AttemptTrigger,
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

pytestmark = pytest.mark.django_db


def _endpoint(world) -> WebhookEndpoint:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return WebhookEndpoint.objects.get()


def test_admin_adds_an_endpoint_tests_it_reads_the_log_resends_and_rotates(
    acme, receiver, django_capture_on_commit_callbacks
):
    admin = client_on(acme.host, acme.admin)
    page = admin.get("/settings/webhooks/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'href="/settings/webhooks/"' in text and 'data-testid="empty-state"' in text
    assert "record.stage_changed" in text  # the catalogue is documented on the page
    assert "Webhooks" in admin.get("/settings/integrations/").content.decode()  # the tab
    response = admin.post(
        "/settings/webhooks/new/",
        {
            "url": receiver.url,
            "description": "Our integration hub",
            "event_types": ["record.shared", "opportunity.created"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    endpoint = _endpoint(acme)
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert endpoint.event_types == ["record.shared", "opportunity.created"]
    assert endpoint.secret.startswith("whsec_")
    detail = admin.get(response["Location"]).content.decode()
    assert receiver.url in detail and endpoint.secret not in detail

    revealed = admin.post(f"/settings/webhooks/{endpoint.pk}/secret/", HTTP_HX_REQUEST="true")
    assert endpoint.secret in revealed.content.decode()
    assert "no-cache" in revealed["Cache-Control"]
    # without htmx it is a page of its own
    whole = admin.post(f"/settings/webhooks/{endpoint.pk}/secret/")
    assert whole.status_code == 200 and "<html" in whole.content.decode()
    with schema_context(acme.company.schema_name):
        assert AuditEntry.objects.filter(action="webhook.secret_revealed").count() == 2
        created = AuditEntry.objects.get(action="webhook.endpoint_created")
    assert endpoint.secret not in str(created.after)

    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/settings/webhooks/{endpoint.pk}/test/").status_code == 302
    (got,) = receiver.received
    Webhook(endpoint.secret).verify(got.body, got.headers)
    log = admin.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert 'data-state="succeeded"' in log and "webhook.test" in log
    with schema_context(acme.company.schema_name):
        delivery = WebhookDelivery.objects.get()
    one = admin.get(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/")
    assert one.status_code == 200
    body = one.content.decode()
    assert delivery.webhook_id in body and 'data-testid="request-body"' in body
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/")
    assert resent.status_code == 302
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.webhook_id] * 2

    rotated = admin.post(f"/settings/webhooks/{endpoint.pk}/secret/rotate/", {"grace_hours": "1"})
    assert rotated.status_code == 302
    after = _endpoint(acme)
    assert after.secret != endpoint.secret and after.previous_secret == endpoint.secret

    # the log filters by outcome
    failed = admin.get(f"/settings/webhooks/{endpoint.pk}/?status=failed").content.decode()
    assert 'data-state="succeeded"' not in failed
    assert admin.get(f"/settings/webhooks/{endpoint.pk}/?status=nonsense").status_code == 200

    assert admin.post(f"/settings/webhooks/{endpoint.pk}/switch/").status_code == 302
    assert not _endpoint(acme).enabled
    edit = admin.post(
        f"/settings/webhooks/{endpoint.pk}/edit/",
        {"url": receiver.url, "description": "Renamed", "event_types": ["comment.added"]},
    )
    assert edit.status_code == 302
    assert _endpoint(acme).event_types == ["comment.added"]
    assert admin.post(f"/settings/webhooks/{endpoint.pk}/remove/").status_code == 302
    with schema_context(acme.company.schema_name):
        assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
        assert AuditEntry.objects.filter(action="webhook.endpoint_removed").exists()


def test_bad_input_is_a_sentence_and_saves_nothing(acme, settings):
    admin = client_on(acme.host, acme.admin)
    good = {"url": "http://127.0.0.1:8999/hook", "event_types": ["record.shared"]}

    def refused(data: dict, sentence: str) -> None:
        response = admin.post("/settings/webhooks/new/", data)
        assert response.status_code == 200, data
        assert sentence in response.content.decode(), (data, response.content.decode()[-3000:])

    refused({**good, "event_types": []}, "Choose at least one event to send.")
    refused({**good, "event_types": ["record.exploded"]}, "Select a valid choice")
    refused({**good, "url": "ftp://files.example.com/"}, "starting with https://")
    refused({**good, "url": "https://user:pw@hooks.example.com/"}, "Leave the user and password")
    refused({**good, "description": "x" * 201}, "at most 200 characters")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    refused({**good, "url": "http://hooks.example.com/"}, "Use an https:// address")
    for private in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[64:ff9b::7f00:1]/hook",
    ):
        refused({**good, "url": private}, "is not a public address")
    # a character no field takes is refused at the edge, once for all routes
    hostile = admin.post("/settings/webhooks/new/", {**good, "url": "http://a\x00b/"})
    assert hostile.status_code == 400
    with schema_context(acme.company.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_an_address_that_turned_private_is_not_sent_to(
    acme, settings, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(acme, receiver.url, ["record.shared"])
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    admin = client_on(acme.host, acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/settings/webhooks/{endpoint.pk}/test/")
    assert receiver.received == []
    with schema_context(acme.company.schema_name):
        attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "Not sent now" in attempt.error


def test_members_get_the_admin_only_page_and_other_companies_nothing(acme, globex):
    planted = webhook_plant(acme, description="Acme's secret hub")
    endpoint, delivery = planted["endpoint"], planted["delivery"]
    paths = [
        "/settings/webhooks/",
        "/settings/webhooks/new/",
        f"/settings/webhooks/{endpoint.pk}/",
        f"/settings/webhooks/{endpoint.pk}/edit/",
        f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/",
    ]
    actions = [
        f"/settings/webhooks/{endpoint.pk}/secret/",
        f"/settings/webhooks/{endpoint.pk}/secret/rotate/",
        f"/settings/webhooks/{endpoint.pk}/switch/",
        f"/settings/webhooks/{endpoint.pk}/remove/",
        f"/settings/webhooks/{endpoint.pk}/test/",
        f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend/",
    ]
    member = client_on(acme.host, acme.member)
    for path in paths:
        response = member.get(path)
        assert response.status_code == 403, path
        assert "Acme's secret hub" not in response.content.decode()
    for path in actions:
        response = member.post(path, {"grace_hours": "0"})
        assert response.status_code == 403, path
        assert endpoint.secret not in response.content.decode()
    # another company's people: on acme's host, and on their own host with acme's ids
    for client in (client_on(acme.host, globex.owner), client_on(globex.host, globex.owner)):
        for path in paths[2:] + actions:
            assert client.get(path).status_code == 404, path
            assert client.post(path, {"grace_hours": "0"}).status_code == 404, path
    with schema_context(acme.company.schema_name):
        same = WebhookEndpoint.objects.get(pk=endpoint.pk)
        assert same.secret == endpoint.secret and same.enabled
        assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 1
        assert not AuditEntry.objects.filter(action__startswith="webhook.").exists()


def _plant_log(world, endpoint, count: int) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with schema_context(world.company.schema_name):
        for i in range(count):
            event = WebhookEvent.objects.create(type="webhook.test", occurred_at=now, facts={})
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                state=[DeliveryState.SUCCEEDED, DeliveryState.FAILED, DeliveryState.PENDING][i % 3],
                attempts=1 + i % 3,
                last_status_code=200,
                outcome="planted",
            )
            for n in range(1, 4):
                WebhookAttempt.objects.create(
                    delivery=delivery,
                    number=n,
                    trigger=AttemptTrigger.RETRY,
                    started_at=now,
                    status_code=500,
                    request_body="{}",
                )


def test_the_pages_query_counts_stay_flat(acme, django_assert_max_num_queries):
    first = endpoint_make(acme, "http://127.0.0.1:9/a", ["record.shared"], description="One")
    for n in range(4):
        endpoint_make(acme, f"http://127.0.0.1:9/{n}", ["comment.added"], description=f"E{n}")
    _plant_log(acme, first, 60)
    admin = client_on(acme.host, acme.admin)
    with schema_context(acme.company.schema_name):
        delivery = WebhookDelivery.objects.filter(endpoint=first).first()
    admin.get("/settings/webhooks/")  # (the session and the routing cache warm up)
    # (session user, membership, the page's own reads, the bell's count)
    with django_assert_max_num_queries(7):
        assert admin.get("/settings/webhooks/").status_code == 200
    with django_assert_max_num_queries(8):
        page = admin.get(f"/settings/webhooks/{first.pk}/")
    assert page.content.decode().count('data-testid="delivery"') == 50
    with django_assert_max_num_queries(8):
        assert admin.get(f"/settings/webhooks/{first.pk}/?page=2&status=failed").status_code == 200
    with django_assert_max_num_queries(9):
        assert (
            admin.get(f"/settings/webhooks/{first.pk}/deliveries/{delivery.pk}/").status_code == 200
        )

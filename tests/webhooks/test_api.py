"""/api/v1/webhooks/: admins manage endpoints with the same services as the pages; members
get 403, other companies 404, tokens need the configuration scope; bad input is a 400 with
a sentence."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from audit.company.models import AuditEntry
from identity.tokens import token_create
from tests.builders import client_on
from tests.webhooks.helpers import webhook_plant
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks/endpoints/"


def _json(client, method: str, path: str, data=None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(path, json.dumps(data or {}), content_type="application/json")


def test_an_admin_manages_an_endpoint_through_the_api(
    acme, receiver, django_capture_on_commit_callbacks
):
    admin = client_on(acme.host, acme.admin)
    types = admin.get("/api/v1/webhooks/event-types/").json()
    assert {"record.shared", "comment.added", "sync.failed"} <= {t["key"] for t in types}
    created = _json(
        admin,
        "post",
        BASE,
        {"url": receiver.url, "description": "CI hub", "event_types": ["record.shared"]},
    )
    assert created.status_code == 201, created.content
    secret, endpoint = created.json()["secret"], created.json()["endpoint"]
    assert secret.startswith("whsec_") and endpoint["state"] == "enabled"
    pk = endpoint["id"]
    listed = admin.get(BASE).json()["results"]
    assert [e["id"] for e in listed] == [pk] and "secret" not in listed[0]
    assert admin.post(f"{BASE}{pk}/secret/").json()["secret"] == secret
    changed = _json(admin, "patch", f"{BASE}{pk}/", {"event_types": ["comment.added"]})
    assert changed.status_code == 200 and changed.json()["event_types"] == ["comment.added"]
    assert changed.json()["enabled"] is True
    with django_capture_on_commit_callbacks(execute=True):
        tested = admin.post(f"{BASE}{pk}/test/")
    assert tested.status_code == 202
    delivery = tested.json()
    (got,) = receiver.received
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
    log = admin.get(f"{BASE}{pk}/deliveries/?status=succeeded").json()["results"]
    assert [d["webhook_id"] for d in log] == [delivery["webhook_id"]]
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin.post(f"{BASE}{pk}/deliveries/{delivery['id']}/resend/")
    # (answered when queued; the attempt runs after the commit)
    assert resent.status_code == 202 and resent.json()["state"] == "pending"
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery["webhook_id"]] * 2
    assert admin.get(f"{BASE}{pk}/deliveries/").json()["results"][0]["attempts"] == 2
    rotated = _json(admin, "post", f"{BASE}{pk}/rotate-secret/", {"grace_hours": 1})
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != secret and rotated.json()["previous_secret_expires_at"]
    assert admin.delete(f"{BASE}{pk}/").status_code == 204
    with schema_context(acme.company.schema_name):
        assert not WebhookEndpoint.objects.exists()
        assert AuditEntry.objects.filter(action="webhook.secret_revealed").count() == 1


def test_bad_input_is_a_400_with_a_sentence(acme, settings):
    admin = client_on(acme.host, acme.admin)
    cases = [
        ({"url": "http://127.0.0.1:9/", "event_types": []}, "event_types"),
        ({"url": "http://127.0.0.1:9/", "event_types": ["nope"]}, "event_types"),
        ({"url": "gopher://x/", "event_types": ["record.shared"]}, "url"),
        ({"url": "http://127.0.0.1:9/", "event_types": "record.shared"}, "event_types"),
        ({"url": "x" * 3000, "event_types": ["record.shared"]}, "url"),
    ]
    for data, field in cases:
        response = _json(admin, "post", BASE, data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json(), response.json()
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    private = _json(
        admin, "post", BASE, {"url": "https://192.168.1.5/h", "event_types": ["record.shared"]}
    )
    assert private.status_code == 400
    assert "not a public address" in private.json()["url"][0]
    for raw in ('{"url": "http://a\\u0000b/", "event_types": ["record.shared"]}', "[" * 200):
        response = admin.post(BASE, raw, content_type="application/json")
        assert response.status_code == 400
    rotate = _json(admin, "post", f"{BASE}00000000-0000-0000-0000-000000000000/rotate-secret/")
    assert rotate.status_code == 404
    with schema_context(acme.company.schema_name):
        assert not WebhookEndpoint.objects.exists()


def test_members_get_403_other_companies_404_and_tokens_need_the_scope(acme, globex):
    planted = webhook_plant(acme)
    pk, delivery = planted["endpoint"].pk, planted["delivery"].pk
    member = client_on(acme.host, acme.member)
    for path in (BASE, f"{BASE}{pk}/", "/api/v1/webhooks/event-types/"):
        assert member.get(path).status_code == 403, path
    assert member.post(f"{BASE}{pk}/secret/").status_code == 403
    assert _json(member, "patch", f"{BASE}{pk}/", {"enabled": False}).status_code == 403
    assert member.delete(f"{BASE}{pk}/").status_code == 403
    # another company's people: not members of acme's host; their own host has no such id
    for client in (client_on(acme.host, globex.owner), client_on(globex.host, globex.owner)):
        for path in (f"{BASE}{pk}/", f"{BASE}{pk}/deliveries/"):
            assert client.get(path).status_code == 404, path
        assert client.post(f"{BASE}{pk}/secret/").status_code == 404
        assert client.post(f"{BASE}{pk}/deliveries/{delivery}/resend/").status_code == 404
        assert client.delete(f"{BASE}{pk}/").status_code == 404
    _, reader = token_create(
        actor=acme.admin, company=acme.company, name="records", scopes=["records:write"]
    )
    records_only = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert records_only.get(BASE).status_code == 403
    _, config = token_create(
        actor=acme.admin, company=acme.company, name="config", scopes=["configuration:read"]
    )
    read_only = Client(HTTP_HOST=acme.host, HTTP_AUTHORIZATION=f"Bearer {config}")
    assert read_only.get(BASE).status_code == 200
    assert read_only.delete(f"{BASE}{pk}/").status_code == 403
    with schema_context(acme.company.schema_name):
        assert WebhookEndpoint.objects.get(pk=pk).enabled


def test_the_api_document_describes_the_webhooks(acme):
    schema = (
        client_on(acme.host, acme.owner)
        .get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    for path in (
        "/api/v1/webhooks/endpoints/",
        "/api/v1/webhooks/endpoints/{id}/rotate-secret/",
        "/api/v1/webhooks/endpoints/{id}/deliveries/{delivery_pk}/resend/",
        "/api/v1/webhooks/event-types/",
    ):
        assert path in schema["paths"], path

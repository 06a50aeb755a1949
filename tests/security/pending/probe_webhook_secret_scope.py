"""Probe 12: the webhook signing secret through the API.

GET /api/v1/webhooks/endpoints/<id>/secret/ is a GET action (webhooks/api.py:198-199) under
token_scope "configuration", so a token granted only `configuration:read` (identity/scopes.py:
read = safe methods) reads the signing secret — which lets its holder forge signed events to the
company's own receivers — and each read writes an audit entry through a "safe" method. The
browser reveal is a POST with no-cache headers (webhooks/views.py:195-208); the API answer carries
no Cache-Control at all."""

from __future__ import annotations

from django.test import Client

from identity.tokens import token_create
from tests.webhooks.helpers import webhook_plant


def _client(world, scopes):  # type: ignore[no-untyped-def]
    _, plain = token_create(actor=world.admin, company=world.company, name="ro", scopes=scopes)
    return Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {plain}")


def test_a_read_only_configuration_token_cannot_read_the_signing_secret(acme):
    endpoint = webhook_plant(acme)["endpoint"]
    reader = _client(acme, ["configuration:read"])
    response = reader.get(f"/api/v1/webhooks/endpoints/{endpoint.pk}/secret/")
    assert response.status_code in (403, 405), (
        f"configuration:read got {response.status_code}: {response.content[:80]!r}"
    )


def test_the_api_secret_answer_is_never_cached(acme):
    endpoint = webhook_plant(acme)["endpoint"]
    writer = _client(acme, ["configuration:write"])
    response = writer.get(f"/api/v1/webhooks/endpoints/{endpoint.pk}/secret/")
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")

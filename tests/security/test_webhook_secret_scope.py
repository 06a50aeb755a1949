"""The webhook signing secret through the API (found by the issue #12 security probe): its
holder can sign events the company's receivers trust, so reading it is a POST that needs the
write scope (a `configuration:read` token gets nothing), and no answer holding a secret or a
token may be cached."""

from __future__ import annotations

from django.test import Client

from identity.tokens import token_create
from tests.builders import client_on
from tests.webhooks.helpers import webhook_plant


def _client(world, scopes):  # type: ignore[no-untyped-def]
    _, plain = token_create(actor=world.admin, company=world.company, name="ro", scopes=scopes)
    return Client(HTTP_HOST=world.host, HTTP_AUTHORIZATION=f"Bearer {plain}")


def test_a_read_only_configuration_token_cannot_read_the_signing_secret(acme):
    endpoint = webhook_plant(acme)["endpoint"]
    reader = _client(acme, ["configuration:read"])
    assert reader.get(f"/api/v1/webhooks/endpoints/{endpoint.pk}/secret/").status_code == 405
    response = reader.post(f"/api/v1/webhooks/endpoints/{endpoint.pk}/secret/")
    assert response.status_code == 403, response.content[:80]
    assert b"whsec_" not in response.content


def test_the_api_secret_answer_is_never_cached(acme):
    endpoint = webhook_plant(acme)["endpoint"]
    writer = _client(acme, ["configuration:write"])
    response = writer.post(f"/api/v1/webhooks/endpoints/{endpoint.pk}/secret/")
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")
    rotated = writer.post(
        f"/api/v1/webhooks/endpoints/{endpoint.pk}/rotate-secret/",
        {"grace_hours": 1},
        content_type="application/json",
    )
    assert rotated.status_code == 200 and "no-store" in rotated["Cache-Control"]


def test_a_new_api_token_answer_is_never_cached(acme):
    response = client_on(acme.host, acme.member).post(
        "/api/v1/tokens/", {"name": "ci"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content[:200]
    assert "no-store" in response["Cache-Control"]

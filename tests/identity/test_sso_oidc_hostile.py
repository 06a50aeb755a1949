"""Hostile OpenID Connect answers, each refused with nothing created: an ID token issued for
another client, an expired one, and an address on a domain the company has not verified."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from identity.models import EmailDomain, SsoConnection, User
from tenants.models import Membership
from tests.builders import client_on
from tests.idp.oidc_standin import OidcStandIn


@pytest.fixture
def standin():  # type: ignore[no-untyped-def]
    server = OidcStandIn()
    server.start()
    yield server
    server.stop()


def _connect(world, standin):  # type: ignore[no-untyped-def]
    EmailDomain.objects.create(
        company=world.company, domain="acme.test", verified_at=timezone.now()
    )
    return SsoConnection.objects.create(
        company=world.company,
        protocol="oidc",
        name="Acme IdP",
        provider_id="oidc-acme-standin",
        enabled=True,
        oidc_issuer=standin.issuer,
        oidc_client_id="acme-client",
        oidc_client_secret="s",
        tested_at=timezone.now(),
        test_result={"ok": True},
    )


def _round_trip(world, connection):  # type: ignore[no-untyped-def]
    client = client_on(world.host)
    start = client.get(f"/sso/{connection.provider_id}/start/")
    assert start.status_code == 302
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    return client, client.get(
        f"/accounts/oidc/{connection.provider_id}/login/callback/", {"code": "c", "state": state}
    )


@pytest.mark.django_db
def test_a_right_token_signs_a_new_colleague_in(acme, standin):
    connection = _connect(acme, standin)
    standin.claims = {
        "aud": "acme-client",
        "sub": "u1",
        "email": "new@acme.test",
        "name": "New One",
    }
    client, response = _round_trip(acme, connection)
    assert response.status_code == 302
    user = User.objects.get(email="new@acme.test")
    assert Membership.objects.filter(user=user, company=acme.company).exists()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client", "sub": "u2", "email": "new@acme.test"},
        {
            "aud": "acme-client",
            "sub": "u3",
            "email": "new@acme.test",
            "exp": int(time.time()) - 600,
        },
        {"aud": "acme-client", "sub": "u4", "email": "owner@globex.test"},
    ],
    ids=["token-for-another-client", "expired-token", "address-of-another-company"],
)
def test_a_hostile_answer_is_refused_and_creates_nothing(acme, globex, standin, claims):
    connection = _connect(acme, standin)
    standin.claims = claims
    users = User.objects.count()
    client, response = _round_trip(acme, connection)
    assert response.status_code in (401, 403)  # allauth: 401; our refusal page: 403
    body = response.content.decode()
    assert "did not complete" in body or "was refused" in body
    assert User.objects.count() == users
    assert not Membership.objects.filter(
        company=acme.company, user__email__in=["new@acme.test", "owner@globex.test"]
    ).exists()
    assert not globex.owner.socialaccount_set.exists()
    assert client.get("/").status_code == 302  # not signed in


@pytest.mark.django_db
def test_an_idp_that_does_not_answer_gets_a_page_not_an_error(acme, standin):
    connection = _connect(acme, standin)
    standin.stop()
    response = client_on(acme.host).get(f"/sso/{connection.provider_id}/start/")
    assert response.status_code == 502
    assert "did not answer" in response.content.decode()
    assert not User.objects.filter(email="new@acme.test").exists()


@pytest.mark.django_db
def test_an_idp_address_outside_the_guard_is_a_failed_sign_in_not_an_error(acme, standin, settings):
    connection = _connect(acme, standin)
    standin.claims = {"aud": "acme-client", "sub": "u5", "email": "new@acme.test"}
    client = client_on(acme.host)
    start = client.get(f"/sso/{connection.provider_id}/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    settings.SSO_ALLOW_PRIVATE_ADDRESSES = False  # the IdP's loopback address is now refused
    response = client.get(
        f"/accounts/oidc/{connection.provider_id}/login/callback/", {"code": "c", "state": state}
    )
    assert response.status_code == 502 and "did not complete" in response.content.decode()
    assert not User.objects.filter(email="new@acme.test").exists()

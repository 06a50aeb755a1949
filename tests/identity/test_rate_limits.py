"""Attempt limits hold across the whole network: a count made on one company's host holds on
every other host and on the base domain, per account and per client (identity.throttles)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from identity.tokens import token_create
from tenants.schemas import company_schema
from tests.builders import PASSWORD, company_make

TOO_MANY_LOGINS = "Too many failed login attempts"


def _on(host: str, ip: str = "203.0.113.7") -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip)


def _login(client: Client, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.fixture
def hosts(acme, globex) -> list[str]:  # type: ignore[no-untyped-def]
    third = company_make("rl-third")
    return [acme.host, globex.host, settings.BASE_DOMAIN, third.host]


@pytest.mark.django_db
def test_five_wrong_passwords_on_different_hosts_lock_the_account_everywhere(
    acme, hosts, rate_limits
):
    for i in range(5):
        # another host and another client each time: only the account ties them together
        response = _login(_on(hosts[i % 4], ip=f"198.51.100.{i}"), acme.member.email, "wrong")
        assert response.status_code == 200 and TOO_MANY_LOGINS not in response.content.decode()
    for host in hosts:
        locked = _login(_on(host, ip="192.0.2.99"), acme.member.email.upper(), PASSWORD)
        assert TOO_MANY_LOGINS in locked.content.decode(), host
        assert "_auth_user_id" not in locked.wsgi_request.session
    # another account is not affected
    assert _login(_on(acme.host, ip="192.0.2.99"), acme.owner.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_one_client_guessing_many_accounts_is_stopped_on_every_host(acme, hosts, rate_limits):
    for i in range(10):
        _login(_on(hosts[i % 4]), f"nobody{i}@example.test", "guess")
    for host in hosts:
        refused = _login(_on(host), acme.owner.email, PASSWORD)
        assert TOO_MANY_LOGINS in refused.content.decode(), host
    # a different client still signs in
    assert _login(_on(acme.host, ip="192.0.2.1"), acme.owner.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_requests_are_limited_per_account_across_hosts(acme, hosts, rate_limits):
    statuses = [
        _on(hosts[i % 4], ip=f"198.51.100.{i}")
        .post("/accounts/password/reset/", {"email": acme.member.email})
        .status_code
        for i in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_sign_ups_are_limited_per_client(network_client, rate_limits):
    limit = (
        int(rate_limits.get("signup", "20/m/ip").split("/")[0]) if "signup" in rate_limits else 20
    )
    client = _on(settings.BASE_DOMAIN)
    for i in range(limit):
        client.post("/accounts/signup/", {"email": f"not-an-address-{i}"})
    assert client.post("/accounts/signup/", {"email": "x"}).status_code == 429


@pytest.mark.django_db
def test_bad_api_tokens_are_counted_per_client_across_hosts(acme, globex, hosts, rate_limits):
    token, plain = token_create(actor=acme.member, company=acme.company, name="ci")
    company_hosts = [h for h in hosts if h != settings.BASE_DOMAIN]
    for i in range(30):
        response = _on(company_hosts[i % 3]).get(
            "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer eco_guess{i}_secret"
        )
        assert response.status_code in (401, 403)
    # the client is stopped on every host, even with the right token
    for host in company_hosts:
        response = _on(host).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {plain}")
        assert response.status_code == 429, host
        assert "Too many attempts" in response.json()["detail"]
    ok = _on(acme.host, ip="192.0.2.5").get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_guesses_at_one_token_are_counted_per_token_across_clients(acme, rate_limits):
    token, plain = token_create(actor=acme.member, company=acme.company, name="ci")
    prefix = plain.split("_")[1]
    for i in range(50):
        _on(acme.host, ip=f"198.51.{i // 250}.{i % 250}").get(
            "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer eco_{prefix}_wrong{i}"
        )
    response = _on(acme.host, ip="192.0.2.77").get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer eco_{prefix}_wrong-again"
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_token_creation_is_limited_per_person(acme, rate_limits):
    client = _on(acme.host)
    client.force_login(acme.member)
    for i in range(20):
        assert client.post("/api/v1/tokens/", {"name": f"t{i}"}).status_code == 201
    refused = client.post("/api/v1/tokens/", {"name": "one more"})
    assert refused.status_code == 429
    page = client.post(
        "/settings/tokens/",
        {"name": "and another", "expires_in_days": "30", "scopes": ["records:read"]},
    )
    assert "many tokens" in page.content.decode()


@pytest.mark.django_db
def test_security_counters_share_one_cache_key_on_every_host(acme, globex):
    """The key function: attempt counters are network-wide, everything else per company."""
    keys = {}
    for world in (acme, globex):
        with company_schema(world.company):
            keys[world.company.slug] = (
                cache.make_key("allauth:rl:allauth.account:login_failed:5/300.0/key:abc"),
                cache.make_key("labels"),
            )
    assert keys["acme"][0] == keys["globex"][0]
    assert keys["acme"][1] != keys["globex"][1]


@pytest.mark.django_db
def test_partner_invitations_by_e_mail_are_limited_per_person_and_per_address(
    acme, rate_limits, django_capture_on_commit_callbacks
):
    client = _on(acme.host)
    client.force_login(acme.admin)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/partners/invite-by-email/", {"email": "victim@example.test"})
    refused = client.post(
        "/partners/invite-by-email/", {"email": "Victim@example.test"}, follow=True
    )
    assert "invited several times today" in refused.content.decode()
    assert len([m for m in mail.outbox if "victim@example.test" in m.to]) == 3
    for i in range(17):
        client.post("/partners/invite-by-email/", {"email": f"other{i}@example.test"})
    refused = client.post(
        "/partners/invite-by-email/", {"email": "fresh@example.test"}, follow=True
    )
    assert "sent many invitations recently" in refused.content.decode()


@pytest.mark.django_db
def test_actions_go_back_only_to_a_page_of_this_host(acme, globex):
    client = _on(acme.host)
    client.force_login(acme.admin)
    response = client.post(
        "/partners/invite-by-email/",
        {"email": "someone@example.test", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/partners/"


@pytest.mark.django_db
def test_variants_of_one_mailbox_count_as_one_address(
    acme, rate_limits, django_capture_on_commit_callbacks
):
    client = _on(acme.host)
    client.force_login(acme.admin)
    for email in ("t1@inv.example", "T1+a@inv.example", '"t1"@inv.example'):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/partners/invite-by-email/", {"email": email})
    refused = client.post("/partners/invite-by-email/", {"email": "t1+b@inv.example"}, follow=True)
    assert "invited several times today" in refused.content.decode()
    literal = client.post("/partners/invite-by-email/", {"email": "x@[127.0.0.1]"}, follow=True)
    assert "Enter the e-mail address of the person to invite" in literal.content.decode()


@pytest.mark.django_db
def test_re_inviting_the_same_company_is_limited_in_pages_and_api(acme, globex, rate_limits):
    from sharing.models import Partnership

    client = _on(acme.host)
    client.force_login(acme.admin)
    for _ in range(3):
        response = client.post("/api/v1/partnerships/", {"partner": "globex"})
        assert response.status_code == 201, response.content
        Partnership.objects.filter(requester=acme.company, addressee=globex.company).delete()
    refused = client.post("/api/v1/partnerships/", {"partner": "globex"})
    assert refused.status_code == 429
    page = client.post("/partners/directory/globex/invite/", follow=True)
    assert "several times recently" in page.content.decode()

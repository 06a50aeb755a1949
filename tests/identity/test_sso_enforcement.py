"""Require SSO: a company's members get into its host only through its IdP; break-glass owners
keep their password; turning it on ends password sessions there, and nowhere else."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import SsoConnection, SsoPolicy
from identity.sessions import AUTH_KEY
from tests.builders import PASSWORD, client_on


def _sso_session(world, user):  # type: ignore[no-untyped-def]
    client = client_on(world.host, user)
    session = client.session
    session[AUTH_KEY] = {"method": "sso", "provider": "oidc-x"}
    session.save()
    return client


def _connection(world):  # type: ignore[no-untyped-def]
    return SsoConnection.objects.create(
        company=world.company,
        protocol="oidc",
        name="Acme IdP",
        provider_id=f"oidc-{world.company.slug}1",
        enabled=True,
        oidc_issuer="https://idp.example",
        oidc_client_id="c",
        tested_at=timezone.now(),
        test_result={"ok": True},
    )


def _require(world, client, break_glass=()):  # type: ignore[no-untyped-def]
    return client.post(
        "/settings/sso/enforcement/",
        {"required": "on", "break_glass": [str(u.pk) for u in break_glass]},
        follow=True,
    )


@pytest.mark.django_db
def test_requiring_sso_ends_password_sessions_here_and_refuses_password_sign_in(acme, globex):
    from tenants.services.memberships import membership_add

    _connection(acme)
    membership_add(actor=None, company=globex.company, user=acme.member, role="member")
    member_here = client_on(acme.host, acme.member)
    assert member_here.get("/").status_code == 200
    member_elsewhere = client_on(globex.host, acme.member)
    assert member_elsewhere.get("/").status_code == 200
    owner = client_on(acme.host, acme.owner)
    owner.get("/")

    page = _require(acme, owner, break_glass=[acme.owner])
    assert "Single sign-on is required now" in page.content.decode()
    assert SsoPolicy.objects.get(company=acme.company).required
    assert AuditEvent.objects.filter(
        company=acme.company, action="sso.enforcement_changed"
    ).exists()

    # the member's password session at Acme has ended; at Globex it goes on
    assert member_here.get("/").status_code == 302
    assert member_elsewhere.get("/").status_code == 200
    # the break-glass owner keeps theirs
    assert owner.get("/").status_code == 200
    # a password sign-in at Acme is refused with a sentence; the owner's works
    refused = client_on(acme.host).post(
        "/accounts/login/", {"login": acme.member.email, "password": PASSWORD}, follow=True
    )
    assert "signs its members in through its identity provider" in refused.content.decode()
    assert "Sign in with" in refused.content.decode()
    ok = client_on(acme.host).post(
        "/accounts/login/", {"login": acme.owner.email, "password": PASSWORD}
    )
    assert ok.status_code == 302 and ok["Location"] == "/"
    # an SSO session of the member is let in
    assert _sso_session(acme, acme.member).get("/").status_code == 200


@pytest.mark.django_db
def test_a_session_signed_in_elsewhere_is_refused_on_the_company_that_requires_sso(acme):
    _connection(acme)
    SsoPolicy.objects.create(company=acme.company, required=True)
    client = client_on(acme.host, acme.member)  # a password session, as from a handoff
    response = client.get("/pipeline/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    api = client_on(acme.host, acme.member)
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_enforcement_needs_a_switched_on_connection_and_cannot_lock_out_its_admin(acme):
    owner = client_on(acme.host, acme.owner)
    page = _require(acme, owner)
    assert "Switch on a tested connection" in page.content.decode()
    _connection(acme)
    page = _require(acme, owner)
    assert "sign in through single sign-on first" in page.content.decode()
    page = _require(acme, owner, break_glass=[acme.member])
    assert "Choose owners from the list" in page.content.decode()
    assert not SsoPolicy.objects.filter(company=acme.company, required=True).exists()
    assert owner.get("/").status_code == 200


@pytest.mark.django_db
def test_another_company_cannot_change_the_enforcement(acme, globex):
    _connection(acme)
    other = client_on(globex.host, globex.owner)
    other.post("/settings/sso/enforcement/", {"required": "on"})
    assert not SsoPolicy.objects.filter(company=acme.company).exists()
    member = client_on(acme.host, acme.member)
    assert member.post("/settings/sso/enforcement/", {"required": "on"}).status_code == 403
    assert not SsoPolicy.objects.filter(company=acme.company).exists()


@pytest.mark.django_db
def test_password_reset_is_refused_for_addresses_of_a_company_that_requires_sso(
    acme, network_client, mailoutbox
):
    from identity.models import EmailDomain

    _connection(acme)
    EmailDomain.objects.create(company=acme.company, domain="acme.test", verified_at=timezone.now())
    policy = SsoPolicy.objects.create(company=acme.company, required=True)
    policy.break_glass.add(acme.owner)
    refused = network_client.post("/accounts/password/reset/", {"email": acme.member.email})
    assert refused.status_code == 200
    assert "signs its members in through its identity provider" in refused.content.decode()
    # an unknown address on that domain gets the same sentence (the domain decides)
    unknown = network_client.post("/accounts/password/reset/", {"email": "nobody@acme.test"})
    assert "signs its members in" in unknown.content.decode()
    # the break-glass owner can still reset
    allowed = network_client.post("/accounts/password/reset/", {"email": acme.owner.email})
    assert allowed.status_code == 302

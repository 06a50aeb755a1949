"""Settings → Single sign-on: verified domains through a real (local) DNS server, OpenID
Connect connections checked against a real provider, secrets encrypted at rest, and nothing of
it visible or changeable from another company."""

from __future__ import annotations

import pytest
from django.db import connection as db

from audit.models import AuditEvent
from identity.models import EmailDomain, SsoConnection
from tests.builders import client_on
from tests.idp.oidc import CLIENT_ID, CLIENT_SECRET


def _add_domain(world, domain="acme-robotics.test"):  # type: ignore[no-untyped-def]
    client = client_on(world.host, world.admin)
    client.post("/settings/sso/domains/", {"domain": domain})
    return client, EmailDomain.objects.get(company=world.company, domain=domain.lower().lstrip("@"))


@pytest.mark.django_db
def test_a_domain_is_verified_only_once_its_txt_record_is_published(acme, dns_zone):
    client, domain = _add_domain(acme, "@Acme-Robotics.TEST")
    assert domain.domain == "acme-robotics.test" and domain.verified_at is None
    client.post(f"/settings/sso/domains/{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.verified_at is None and "No TXT record" in domain.last_error

    dns_zone.publish("acme-robotics.test", "v=spf1 -all")
    dns_zone.publish("acme-robotics.test", domain.txt_value)
    client.post(f"/settings/sso/domains/{domain.pk}/verify/")
    domain.refresh_from_db()
    assert domain.verified_at is not None and domain.last_error == ""
    assert AuditEvent.objects.filter(company=acme.company, action="sso.domain_verified").exists()


@pytest.mark.django_db
def test_a_domain_verified_by_one_company_cannot_be_verified_by_another(acme, globex, dns_zone):
    _, theirs = _add_domain(acme, "shared.test")
    dns_zone.publish("shared.test", theirs.txt_value)
    client_on(acme.host, acme.admin).post(f"/settings/sso/domains/{theirs.pk}/verify/")
    client, mine = _add_domain(globex, "shared.test")
    dns_zone.publish("_ecosystem-cloud.shared.test", mine.txt_value)
    client.post(f"/settings/sso/domains/{mine.pk}/verify/")
    mine.refresh_from_db()
    assert mine.verified_at is None and "another company" in mine.last_error


@pytest.mark.django_db
def test_bad_domains_are_refused_with_a_sentence(acme):
    client = client_on(acme.host, acme.admin)
    for bad in ("not a domain", "localhost", "x" * 300, "acme\x00.test", "-bad-.test"):
        response = client.post("/settings/sso/domains/", {"domain": bad}, follow=True)
        assert response.status_code in (200, 400)
    assert not EmailDomain.objects.filter(company=acme.company).exists()


def _oidc_form(oidc_idp, **overrides):  # type: ignore[no-untyped-def]
    return {
        "name": "Hotel IdP",
        "default_role": "member",
        "groups_attribute": "groups",
        "role_rules": "Partner Admins = admin",
        "oidc_issuer": oidc_idp.issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        **overrides,
    }


@pytest.mark.django_db
def test_an_oidc_connection_is_checked_against_the_provider_and_its_secret_encrypted(
    acme, oidc_idp
):
    client = client_on(acme.host, acme.admin)
    bad = client.post(
        "/settings/sso/new/oidc/", _oidc_form(oidc_idp, oidc_issuer="http://127.0.0.1:9/")
    )
    assert bad.status_code == 400 and "No OpenID discovery document" in bad.content.decode()
    assert not SsoConnection.objects.exists()
    # what was typed is kept (except the secret)
    assert CLIENT_ID in bad.content.decode() and CLIENT_SECRET not in bad.content.decode()

    response = client.post("/settings/sso/new/oidc/", _oidc_form(oidc_idp))
    assert response.status_code == 302
    connection = SsoConnection.objects.get(company=acme.company)
    assert connection.oidc_client_secret == CLIENT_SECRET
    assert connection.role_rules == [{"group": "Partner Admins", "role": "admin"}]
    assert not connection.enabled
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT oidc_client_secret FROM identity_ssoconnection WHERE id = %s", [connection.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and CLIENT_SECRET not in stored
    page = client.get(f"/settings/sso/{connection.pk}/").content.decode()
    assert f"/accounts/oidc/{connection.provider_id}/login/callback/" in page
    assert CLIENT_SECRET not in page
    event = AuditEvent.objects.get(company=acme.company, action="sso.connection_created")
    assert CLIENT_SECRET not in str(event.after)


@pytest.mark.django_db
def test_a_connection_is_switched_on_only_after_a_passing_test(acme, oidc_idp):
    client = client_on(acme.host, acme.admin)
    client.post("/settings/sso/new/oidc/", _oidc_form(oidc_idp))
    connection = SsoConnection.objects.get(company=acme.company)
    client.post(f"/settings/sso/{connection.pk}/enable/", {"enabled": "1"})
    connection.refresh_from_db()
    assert not connection.enabled
    # the company's sign-in page offers only switched-on connections
    login = client_on(acme.host).get("/accounts/login/").content.decode()
    assert "Sign in with Hotel IdP" not in login
    assert client_on(acme.host).get(f"/sso/{connection.provider_id}/start/").status_code == 404


@pytest.mark.django_db
def test_another_company_sees_and_changes_none_of_it(acme, globex, oidc_idp):
    client = client_on(acme.host, acme.admin)
    client.post("/settings/sso/new/oidc/", _oidc_form(oidc_idp))
    connection = SsoConnection.objects.get(company=acme.company)
    _, domain = _add_domain(acme)
    SsoConnection.objects.filter(pk=connection.pk).update(enabled=True)
    other = client_on(globex.host, globex.admin)
    page = other.get("/settings/sso/").content.decode()
    assert "Hotel IdP" not in page and "acme-robotics.test" not in page
    for path in (
        f"/settings/sso/{connection.pk}/",
        f"/settings/sso/{connection.pk}/test/",
        f"/sso/{connection.provider_id}/start/",
        f"/accounts/saml/{connection.provider_id}/metadata/",
    ):
        assert other.get(path).status_code == 404, path
    for path in (
        f"/settings/sso/{connection.pk}/",
        f"/settings/sso/{connection.pk}/enable/",
        f"/settings/sso/{connection.pk}/remove/",
        f"/settings/sso/domains/{domain.pk}/verify/",
        f"/settings/sso/domains/{domain.pk}/remove/",
        f"/accounts/oidc/{connection.provider_id}/login/",
    ):
        assert other.post(path, {"enabled": "0", "name": "x"}).status_code == 404, path
    # another company's sign-in page never offers it
    assert "Hotel IdP" not in client_on(globex.host).get("/accounts/login/").content.decode()
    connection.refresh_from_db()
    assert connection.enabled and connection.name == "Hotel IdP"
    assert EmailDomain.objects.filter(pk=domain.pk).exists()
    # members of Acme who are not admins get nothing either
    member = client_on(acme.host, acme.member)
    assert member.get("/settings/sso/").status_code == 403
    assert member.post(f"/settings/sso/{connection.pk}/remove/").status_code == 403

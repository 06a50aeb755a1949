"""allauth's flows on our hosts: password reset, MFA, log out; and the platform admin."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.core import mail

from identity.models import User
from tests.builders import PASSWORD, client_on


@pytest.mark.django_db
def test_password_reset_by_email_on_a_company_host(acme):
    response = client_on(acme.host).post("/accounts/password/reset/", {"email": acme.member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    # the link opens on the network's host, whichever host the reset was asked on
    link = re.search(
        r"http://localhost(/accounts/password/reset/key/\S+)", mail.outbox[0].body
    ).group(1)
    client = client_on("localhost")
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(
        action, {"password1": "a-brand-new-secret-77", "password2": "a-brand-new-secret-77"}
    )
    assert done.status_code == 302
    acme.member.refresh_from_db()
    assert acme.member.check_password("a-brand-new-secret-77")


@pytest.mark.django_db
def test_password_reset_with_weak_password_changes_nothing(acme):
    client_on(acme.host).post("/accounts/password/reset/", {"email": acme.member.email})
    link = re.search(
        r"http://localhost(/accounts/password/reset/key/\S+)", mail.outbox[0].body
    ).group(1)
    client = client_on("localhost")
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(action, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200 and b"too common" in response.content
    acme.member.refresh_from_db()
    assert acme.member.check_password(PASSWORD)


def _totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


@pytest.mark.django_db
def test_totp_can_be_enabled_and_is_then_required_at_login(acme):
    client = client_on(acme.host, acme.member)
    # allauth asks for the password again before a security change
    first = client.get("/accounts/2fa/totp/activate/")
    assert first.status_code == 302 and first["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(first["Location"], {"password": PASSWORD}).status_code == 302
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=acme.member).exists()
    response = client.post("/accounts/2fa/totp/activate/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=acme.member, type=Authenticator.Type.TOTP).exists()

    fresh = client_on(acme.host)
    login = fresh.post("/accounts/login/", {"login": acme.member.email, "password": PASSWORD})
    assert login.status_code == 302 and login["Location"].startswith("/accounts/2fa/authenticate/")
    assert fresh.get("/").status_code == 302  # not in yet
    fresh.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)})
    assert fresh.get("/").status_code == 200


@pytest.mark.django_db
def test_logout_ends_the_session_on_that_host(acme, globex):
    client = client_on(acme.host, acme.member)
    elsewhere = client_on(globex.host, globex.member)
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    # sessions are per host: someone else's session on another company's host is untouched
    assert elsewhere.get("/").status_code == 200


@pytest.mark.django_db
def test_platform_staff_use_the_admin_on_the_network_host_only(acme):
    staff = User.objects.create_superuser("ops@ecosystem.test", PASSWORD)
    admin_client = client_on("localhost", staff)
    page = admin_client.get("/admin/tenants/company/")
    assert page.status_code == 200
    assert b"Acme Robotics" in page.content and b"Globex Corporation" in page.content
    # the admin is not served on company hosts
    assert client_on(acme.host, acme.owner).get("/admin/").status_code == 404


@pytest.mark.django_db
def test_company_admins_are_not_platform_staff(acme):
    response = client_on("localhost", acme.owner).get("/admin/tenants/company/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_admin_login_goes_through_the_limited_sign_in(acme, rate_limits):
    """Django's own admin login form took passwords without limits or MFA: it now hands over
    to the product's sign-in, whose failed attempts lock the account on every host."""
    from django.test import Client

    staff = User.objects.create_superuser("ops@ecosystem.test", PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client = Client(HTTP_HOST="localhost")
    for _ in range(6):
        response = client.post(
            "/admin/login/", {"username": staff.email, "password": "wrong", "next": "/admin/"}
        )
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for _ in range(5):
        client.post("/accounts/login/", {"login": staff.email, "password": "wrong"})
    locked = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert "Too many failed login attempts" in locked.content.decode()
    # a company admin signed in gets no admin page
    assert client_on("localhost", acme.owner).get("/admin/login/").status_code == 403

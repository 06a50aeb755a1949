"""Sessions are recorded per host; a person signs out their other sessions, an admin signs a
member out of the company, and removing a member ends their sessions and tokens there only."""

from __future__ import annotations

import pytest

from identity.models import PersonalAccessToken, UserSession
from identity.tokens import token_create
from tests.builders import client_on


def _signed_in(world_host: str, user):  # type: ignore[no-untyped-def]
    client = client_on(world_host, user)
    assert client.get("/").status_code == 200
    return client


@pytest.mark.django_db
def test_each_signed_in_session_is_recorded_with_its_host(acme, globex, network_client):
    client_on(acme.host, acme.member).get("/")
    row = UserSession.objects.get(user=acme.member)
    assert row.company_id == acme.company.pk and row.auth_method == "password"
    network_client.force_login(acme.member)
    network_client.get("/")
    assert UserSession.objects.filter(user=acme.member, company__isnull=True).count() == 1


@pytest.mark.django_db
def test_a_person_signs_out_their_other_sessions_here_only(acme):
    laptop = _signed_in(acme.host, acme.member)
    phone = _signed_in(acme.host, acme.member)
    page = laptop.get("/settings/sessions/")
    assert page.status_code == 200 and "this browser" in page.content.decode()
    assert laptop.post("/settings/sessions/end-others/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302  # back to sign-in
    assert UserSession.objects.filter(user=acme.member).count() == 1


@pytest.mark.django_db
def test_one_session_is_ended_by_its_owner_and_nobody_else(acme, globex):
    laptop = _signed_in(acme.host, acme.member)
    _signed_in(acme.host, acme.member)
    other = (
        UserSession.objects.filter(user=acme.member)
        .exclude(session_key=laptop.session.session_key)
        .get()
    )
    # an admin of Acme, or the member at another host, cannot end it by its id
    admin = _signed_in(acme.host, acme.admin)
    assert admin.post(f"/settings/sessions/{other.pk}/end/").status_code == 404
    assert UserSession.objects.filter(pk=other.pk).exists()
    assert laptop.post(f"/settings/sessions/{other.pk}/end/").status_code == 302
    assert not UserSession.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_admin_signs_a_member_out_of_the_company_not_of_other_companies(acme, globex):
    from tenants.services.memberships import membership_add

    membership_add(actor=None, company=globex.company, user=acme.member, role="member")
    at_acme = _signed_in(acme.host, acme.member)
    at_globex = _signed_in(globex.host, acme.member)
    membership = acme.company.memberships.get(user=acme.member)
    admin = client_on(acme.host, acme.admin)
    assert admin.post(f"/settings/members/{membership.pk}/sign-out/").status_code == 302
    assert at_acme.get("/").status_code == 302
    assert at_globex.get("/").status_code == 200
    # Globex's admin cannot sign out Acme's member by Acme's membership id
    assert (
        client_on(globex.host, globex.admin)
        .post(f"/settings/members/{membership.pk}/sign-out/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_removing_a_member_ends_their_sessions_and_tokens_there_only(acme, globex):
    from tenants.services.memberships import membership_add

    membership_add(actor=None, company=globex.company, user=acme.member, role="member")
    session = _signed_in(acme.host, acme.member)
    elsewhere = _signed_in(globex.host, acme.member)
    _, acme_token = token_create(actor=acme.member, company=acme.company, name="sync")
    _, globex_token = token_create(actor=acme.member, company=globex.company, name="sync")
    api = client_on(acme.host)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {acme_token}").status_code == 200

    membership = acme.company.memberships.get(user=acme.member)
    admin = client_on(acme.host, acme.admin)
    assert admin.post(f"/settings/members/{membership.pk}/remove/").status_code == 302

    assert session.get("/").status_code == 302
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {acme_token}").status_code == 401
    assert elsewhere.get("/").status_code == 200
    globex_api = client_on(globex.host)
    response = globex_api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {globex_token}")
    assert response.status_code == 200
    assert PersonalAccessToken.objects.get(company=acme.company, user=acme.member).revoked_at


@pytest.mark.django_db
def test_signing_out_forgets_the_session(acme):
    client = _signed_in(acme.host, acme.member)
    assert UserSession.objects.filter(user=acme.member).exists()
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(user=acme.member).exists()


@pytest.mark.django_db
def test_a_session_ended_from_outside_its_host_is_gone_from_the_cache_too(acme):
    """The session store caches each session; ending it from the network side (a service, a
    worker, SCIM) must reach the copy that the company's host cached."""
    from django.db import connection

    from tenants.services.memberships import membership_remove

    session = _signed_in(acme.host, acme.member)
    assert session.get("/").status_code == 200  # now cached by Acme's host
    connection.set_schema_to_public()
    membership = acme.company.memberships.get(user=acme.member)
    admin_membership = acme.company.memberships.get(user=acme.owner)
    membership_remove(actor=acme.owner, actor_membership=admin_membership, membership=membership)
    response = session.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

"""Colleague invitations: an admin invites by e-mail; the link brings a new person through a
short sign-up into the company and an existing one straight in; links expire, can be resent
and revoked; another company's admin can do nothing with them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from identity.invitations import invitation_addresses_parse
from identity.models import ColleagueInvitation, User
from tenants.models import Membership
from tests.builders import client_on

LINK = re.compile(r"http://[^/\s]+(/invitations/[^/\s]+/)")
PASSWORD = "a long pass phrase 42"


@pytest.fixture(autouse=True)
def _mail_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Invitation mails go out when the transaction commits; the tests' never does."""
    global _commit
    _commit = django_capture_on_commit_callbacks


_commit = None


def _invite(world, emails: str, role: str = "member", actor=None):  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    client = client_on(world.host, actor or world.admin)
    with _commit(execute=True):
        response = client.post(
            "/settings/members/invite/", {"emails": emails, "role": role, "message": "Welcome!"}
        )
    return response


def _link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return LINK.search(message.body).group(1)


def test_addresses_are_parsed_as_mail_programs_copy_them():
    text = "Ben <BEN@example.com>; jo@example.com\nkim@example.com kim@example.com, "
    assert invitation_addresses_parse(text) == [
        "ben@example.com",
        "jo@example.com",
        "kim@example.com",
    ]


@pytest.mark.django_db
def test_bad_addresses_send_nothing_and_say_which(acme):
    response = _invite(acme, "ok@example.com, not-an-address")
    assert response.status_code == 400
    assert "not-an-address" in response.content.decode()
    assert ColleagueInvitation.objects.count() == 0 and mail.outbox == []
    # what was typed is still in the form
    assert "ok@example.com, not-an-address" in response.content.decode()


@pytest.mark.django_db
def test_admin_invites_several_and_a_new_person_signs_up_into_the_company(acme):
    response = _invite(acme, "ben@newco.example, Jo <jo@newco.example>", role="admin")
    assert response.status_code == 302
    assert {m.to[0] for m in mail.outbox} == {"ben@newco.example", "jo@newco.example"}
    assert "Acme Robotics" in mail.outbox[0].subject
    path = _link("ben@newco.example")

    visitor = client_on(acme.host)
    page = visitor.get(path)
    assert page.status_code == 200 and "Create my account and join" in page.content.decode()
    # mail scanners open links: a GET changes nothing
    assert not User.objects.filter(email="ben@newco.example").exists()

    bad = visitor.post(path, {"full_name": "Ben", "password1": "short", "password2": "short"})
    assert bad.status_code == 200 and "too short" in bad.content.decode()
    assert not User.objects.filter(email="ben@newco.example").exists()

    done = visitor.post(
        path, {"full_name": "Ben Newman", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    ben = User.objects.get(email="ben@newco.example")
    assert ben.full_name == "Ben Newman"
    assert EmailAddress.objects.get(user=ben).verified
    assert Membership.objects.get(user=ben, company=acme.company).role == "admin"
    # signed in on Acme's host, straight into the workspace
    assert visitor.get("/").status_code == 200
    invitation = ColleagueInvitation.objects.get(email="ben@newco.example")
    assert invitation.state == "accepted" and invitation.accepted_by == ben
    actions = set(AuditEvent.objects.filter(company=acme.company).values_list("action", flat=True))
    assert {"colleague_invitation.sent", "colleague_invitation.accepted"} <= actions
    # the link is used up
    assert client_on(acme.host).get(path).status_code == 410


@pytest.mark.django_db
def test_an_existing_user_joins_after_signing_in(acme, globex):
    _invite(acme, globex.member.email)
    path = _link(globex.member.email)
    anonymous = client_on(acme.host).get(path)
    assert anonymous.status_code == 200 and "Sign in to join" in anonymous.content.decode()

    client = client_on(acme.host, globex.member)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert Membership.objects.filter(user=globex.member, company=acme.company).exists()
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_invitation_is_only_for_the_address_it_was_sent_to(acme, globex):
    _invite(acme, "ben@newco.example")
    path = _link("ben@newco.example")
    other = client_on(acme.host, globex.member)
    page = other.get(path)
    assert page.status_code == 403 and "ben@newco.example" in page.content.decode()
    assert other.post(path).status_code == 403
    assert not Membership.objects.filter(user=globex.member, company=acme.company).exists()


@pytest.mark.django_db
def test_the_link_works_only_on_its_own_company_host(acme, globex):
    _invite(acme, "ben@newco.example")
    path = _link("ben@newco.example")
    response = client_on(globex.host).get(path)
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
    response = client_on(globex.host).post(
        path, {"full_name": "Ben", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="ben@newco.example").exists()


@pytest.mark.django_db
def test_expired_revoked_and_unknown_links_answer_a_clear_page(acme):
    _invite(acme, "old@newco.example, gone@newco.example")
    old, gone = _link("old@newco.example"), _link("gone@newco.example")
    ColleagueInvitation.objects.filter(email="old@newco.example").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = client_on(acme.host).get(old)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    post = client_on(acme.host).post(
        old, {"full_name": "Old", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert post.status_code == 410

    invitation = ColleagueInvitation.objects.get(email="gone@newco.example")
    admin = client_on(acme.host, acme.admin)
    assert admin.post(f"/settings/invitations/{invitation.pk}/revoke/").status_code == 302
    revoked = client_on(acme.host).get(gone)
    assert revoked.status_code == 410 and "withdrew" in revoked.content.decode()

    unknown = client_on(acme.host).get("/invitations/not-a-real-secret/")
    assert unknown.status_code == 404 and "isn't valid" in unknown.content.decode()
    assert not User.objects.filter(email__endswith="@newco.example").exists()


@pytest.mark.django_db
def test_resend_makes_a_new_link_and_extends_the_expiry(acme):
    _invite(acme, "ben@newco.example")
    first = _link("ben@newco.example")
    invitation = ColleagueInvitation.objects.get(email="ben@newco.example")
    ColleagueInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with _commit(execute=True):
        response = client_on(acme.host, acme.admin).post(
            f"/settings/invitations/{invitation.pk}/resend/"
        )
    assert response.status_code == 302
    second = _link("ben@newco.example")
    assert second != first
    invitation.refresh_from_db()
    assert invitation.state == "pending" and invitation.send_count == 2
    assert client_on(acme.host).get(first).status_code == 404
    assert client_on(acme.host).get(second).status_code == 200
    # inviting the same address again is a resend, not a second invitation
    _invite(acme, "ben@newco.example")
    assert ColleagueInvitation.objects.filter(email="ben@newco.example").count() == 1


@pytest.mark.django_db
def test_members_are_not_invited_again(acme):
    mail.outbox.clear()
    client = client_on(acme.host, acme.admin)
    page = client.post(
        "/settings/members/invite/", {"emails": acme.member.email, "role": "member"}, follow=True
    )
    assert "Already members, not invited: member@acme.test" in page.content.decode()
    assert mail.outbox == [] and ColleagueInvitation.objects.count() == 0


@pytest.mark.django_db
def test_only_admins_invite_and_only_owners_invite_owners(acme):
    assert _invite(acme, "x@newco.example", actor=acme.member).status_code == 403
    assert _invite(acme, "x@newco.example", role="owner", actor=acme.admin).status_code == 403
    assert ColleagueInvitation.objects.count() == 0
    assert _invite(acme, "x@newco.example", role="owner", actor=acme.owner).status_code == 302


@pytest.mark.django_db
def test_another_company_cannot_see_resend_or_revoke_an_invitation(acme, globex):
    _invite(acme, "ben@newco.example")
    invitation = ColleagueInvitation.objects.get(email="ben@newco.example")
    globex_admin = client_on(globex.host, globex.admin)
    page = globex_admin.get("/settings/members/")
    assert "ben@newco.example" not in page.content.decode()
    for action in ("resend", "revoke"):
        response = globex_admin.post(f"/settings/invitations/{invitation.pk}/{action}/")
        assert response.status_code == 404
    # Acme's member (not an admin) and a signed-in non-member of Acme get nothing either
    member = client_on(acme.host, acme.member)
    assert member.post(f"/settings/invitations/{invitation.pk}/revoke/").status_code == 403
    outsider = client_on(acme.host, globex.admin)
    assert outsider.post(f"/settings/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == "pending" and invitation.send_count == 1


@pytest.mark.django_db
def test_the_members_page_lists_pending_invitations_in_bounded_queries(
    acme, django_assert_max_num_queries
):
    _invite(acme, ", ".join(f"p{i}@newco.example" for i in range(20)))
    client = client_on(acme.host, acme.admin)
    client.get("/settings/members/")
    with django_assert_max_num_queries(12):
        page = client.get("/settings/members/")
    body = page.content.decode()
    assert all(f"p{i}@newco.example" in body for i in range(20))


@pytest.mark.django_db
def test_hostile_input_is_refused_cleanly(acme):
    client = client_on(acme.host, acme.admin)
    assert (
        client.post("/settings/members/invite/", {"emails": "a\x00@x.example"}).status_code == 400
    )
    response = client.post("/settings/members/invite/", {"emails": "a@x.example" * 2000})
    assert response.status_code == 400
    assert ColleagueInvitation.objects.count() == 0
    long_secret = client_on(acme.host).get("/invitations/" + "x" * 300 + "/")
    assert long_secret.status_code == 404

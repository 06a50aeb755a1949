"""Inviting a partner that is not on the network: e-mail → sign-up → pending partnership."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.models import PartnerInvitation, Partnership, PartnershipStatus
from tests.builders import client_on
from tests.identity.test_signup import GOOD, _code


@pytest.mark.django_db
def test_invited_person_signs_their_company_up_and_lands_in_the_pending_partnership(
    acme, network_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_on(acme.host, acme.admin).post(
            "/partners/invite-by-email/",
            {"email": "peter@initech.test", "company_name": "Initech", "message": "Let's co-sell"},
        )
    link = re.search(r"http://localhost(/join/[0-9a-f-]+/)", mailoutbox[-1].body).group(1)
    page = network_client.get(link)
    assert page.status_code == 200 and b"Acme Robotics invites you to partner" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = network_client.post("/accounts/signup/", GOOD)
    assert response.status_code == 302
    assert "next" not in response["Location"]
    # the invitation waits with the sign-up until the e-mail is verified
    assert not Partnership.objects.filter(addressee__slug="initech").exists()
    with django_capture_on_commit_callbacks(execute=True):
        network_client.post("/accounts/confirm-email/", {"code": _code(GOOD["email"])})
    partnership = Partnership.objects.get(requester=acme.company, addressee__slug="initech")
    assert (
        partnership.status == PartnershipStatus.INVITED and partnership.message == "Let's co-sell"
    )
    assert PartnerInvitation.objects.get().redeemed_at is not None
    # the handoff lands on the partners page
    from tenants.models import LoginHandoff

    assert (
        LoginHandoff.objects.filter(company__slug="initech").latest("created_at").next_path
        == "/partners/"
    )
    # and the link cannot be used twice
    assert network_client.get(link).status_code == 404


@pytest.mark.django_db
def test_existing_user_connects_one_of_their_companies(acme, globex):
    client_on(acme.host, acme.owner).post(
        "/partners/invite-by-email/", {"email": globex.owner.email}
    )
    invitation = PartnerInvitation.objects.get()
    client = client_on("localhost", globex.owner)
    page = client.get(f"/join/{invitation.pk}/")
    assert b"Globex Corporation" in page.content
    response = client.post(f"/join/{invitation.pk}/", {"company": "globex"})
    assert response.status_code == 302 and "globex.localhost" in response["Location"]
    assert Partnership.objects.filter(
        requester=acme.company, addressee=globex.company, status="invited"
    ).exists()


@pytest.mark.django_db
def test_cannot_connect_a_company_you_do_not_administer(acme, globex):
    client_on(acme.host, acme.owner).post(
        "/partners/invite-by-email/", {"email": globex.member.email}
    )
    invitation = PartnerInvitation.objects.get()
    response = client_on("localhost", globex.member).post(
        f"/join/{invitation.pk}/", {"company": "globex"}
    )
    assert response.status_code == 404
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_expired_or_unknown_invitations_are_refused(acme, network_client):
    client_on(acme.host, acme.owner).post("/partners/invite-by-email/", {"email": "x@y.test"})
    invitation = PartnerInvitation.objects.get()
    PartnerInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert network_client.get(f"/join/{invitation.pk}/").status_code == 404
    assert network_client.get("/join/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_bad_invitation_input_and_members_are_refused(acme):
    admin = client_on(acme.host, acme.admin)
    assert (
        b"Enter the e-mail address"
        in admin.post("/partners/invite-by-email/", {"email": "nope"}, follow=True).content
    )
    member = client_on(acme.host, acme.member)
    assert (
        b"Only your company"
        in member.post("/partners/invite-by-email/", {"email": "a@b.test"}, follow=True).content
    )
    assert not PartnerInvitation.objects.exists()

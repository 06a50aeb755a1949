"""The partner pages as a PBM and an admin use them."""

import pytest

from sharing.models import Partnership, PartnershipStatus
from tests.builders import client_on, company_make
from tests.sharing.helpers import partners_make


@pytest.mark.django_db
def test_admin_finds_a_company_in_the_directory_and_invites_it(
    acme, globex, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_on(acme.host, acme.admin)
    page = client.get("/partners/directory/?q=globex")
    assert page.status_code == 200 and b"Globex Corporation" in page.content
    assert b"Acme Robotics" not in page.content.split(b"<main")[1]  # not yourself
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/partners/directory/globex/invite/", {"message": "Co-sell in EMEA?"}
        )
    assert response.status_code == 302
    partnership = Partnership.objects.get(requester=acme.company, addressee=globex.company)
    assert partnership.message == "Co-sell in EMEA?"
    assert any(globex.owner.email in m.to for m in mailoutbox)


@pytest.mark.django_db
def test_invited_admin_accepts_from_the_partners_page(acme, globex):
    Partnership.objects.create(
        requester=acme.company, addressee=globex.company, invited_by=acme.owner
    )
    client = client_on(globex.host, globex.owner)
    page = client.get("/partners/")
    assert b'data-testid="incoming-acme"' in page.content
    partnership = Partnership.objects.get()
    client.post(f"/partners/{partnership.pk}/accept/")
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE
    assert b'data-testid="partner-acme"' in client.get("/partners/").content


@pytest.mark.django_db
def test_member_sees_partners_but_cannot_act(acme, globex):
    partnership = Partnership.objects.create(
        requester=globex.company, addressee=acme.company, invited_by=globex.owner
    )
    client = client_on(acme.host, acme.member)
    page = client.get("/partners/")
    assert (
        page.status_code == 200
        and b"Globex Corporation" in page.content
        and b">Accept<" not in page.content
    )
    response = client.post(f"/partners/{partnership.pk}/accept/", follow=True)
    assert b"Only your company&#x27;s owners and admins" in response.content
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.INVITED


@pytest.mark.django_db
def test_duplicate_invitation_shows_the_reason(acme, globex):
    Partnership.objects.create(
        requester=acme.company, addressee=globex.company, invited_by=acme.owner
    )
    response = client_on(acme.host, acme.owner).post(
        "/partners/directory/globex/invite/", follow=True
    )
    assert b"already invited Globex Corporation" in response.content
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_a_third_company_cannot_act_on_someone_elses_partnership(acme, globex):
    partnership = partners_make(acme, globex)
    third = company_make("cyberdyne")
    client = client_on(third.host, third.owner)
    for action in ("accept", "decline", "end"):
        assert client.post(f"/partners/{partnership.pk}/{action}/").status_code == 404
    partnership.refresh_from_db()
    assert partnership.status == PartnershipStatus.ACTIVE


@pytest.mark.django_db
def test_directory_and_partner_list_have_bounded_queries(acme, django_assert_max_num_queries):
    for letter in "abcdefgh":
        partners_make(acme, company_make(f"bulk-{letter}"))
    client = client_on(acme.host, acme.member)
    with django_assert_max_num_queries(12):
        assert client.get("/partners/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/partners/directory/").status_code == 200


@pytest.mark.django_db
def test_company_profile_page_and_unknown_company(acme, globex):
    client = client_on(acme.host, acme.member)
    assert b"Globex Corporation" in client.get("/partners/directory/globex/").content
    assert client.get("/partners/directory/no-such-co/").status_code == 404

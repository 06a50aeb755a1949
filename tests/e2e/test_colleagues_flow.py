"""Colleagues in a real browser: an owner invites a colleague by e-mail; the colleague signs up
from the e-mail's link, lands in the company and takes part in an approval (their share waits,
the owner approves). A withdrawn or expired invitation answers a page that says so."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import ColleagueInvitation
from sharing.models import SharedRecord
from tests.approvals.helpers import rule_make
from tests.builders import PASSWORD, company_make
from tests.sharing.helpers import opportunity_make, partners_make

pytestmark = pytest.mark.e2e

LINK = re.compile(r"(http://\S+/invitations/\S+/)")


def _owner_page(browser, site, world):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(site(world.host, "/"))
    page.get_by_label("Email").fill(world.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    return page


def _link_for(email: str) -> str:
    """The link in the latest invitation to `email` (it names the live server's port)."""
    body = next(m.body for m in reversed(mail.outbox) if email in m.to)
    return LINK.search(body).group(1)


def test_owner_invites_a_colleague_who_signs_up_and_takes_part_in_an_approval(browser, site):
    hotel = company_make("hotel", "Hotel Robotics")
    partner = company_make("india", "India Partners")
    partners_make(hotel, partner)
    rule_make(hotel)  # every deal share waits for an admin
    deal = opportunity_make(hotel, customer_name="Juliett Foods")
    owner = _owner_page(browser, site, hotel)

    owner.goto(site(hotel.host, "/settings/members/"))
    form = owner.get_by_test_id("invite-form")
    form.get_by_label("E-mail addresses").fill("Nina Park <nina@hotel.test>, omar@hotel.test")
    form.get_by_label("Role").select_option("member")
    form.get_by_role("button", name="Send invitations").click()
    expect(owner.get_by_text("Invitation sent to nina@hotel.test, omar@hotel.test")).to_be_visible()
    expect(owner.get_by_test_id("invitations")).to_contain_text("nina@hotel.test")

    # Nina opens the e-mail's link in her own browser
    context = browser.new_context(viewport={"width": 390, "height": 844})  # on her phone
    context.set_default_timeout(15_000)
    nina = context.new_page()
    nina.goto(_link_for("nina@hotel.test"))
    expect(nina.get_by_role("heading", name="Join Hotel Robotics")).to_be_visible()
    nina.get_by_label("Your name").fill("Nina Park")
    nina.get_by_label("Choose a password").fill("short")
    nina.get_by_label("The password again").fill("short")
    nina.get_by_role("button", name="Create my account and join").click()
    expect(nina.get_by_text("too short")).to_be_visible()
    expect(nina.get_by_label("Your name")).to_have_value("Nina Park")
    nina.get_by_label("Choose a password").fill(PASSWORD)
    nina.get_by_label("The password again").fill(PASSWORD)
    nina.get_by_role("button", name="Create my account and join").click()
    expect(nina).to_have_url(site(hotel.host, "/"))
    expect(nina.get_by_text("Welcome to Hotel Robotics, Nina")).to_be_visible()

    # she shares a deal; the company's rule makes it wait for an admin
    nina.set_viewport_size({"width": 1280, "height": 900})
    nina.goto(site(hotel.host, f"/pipeline/{deal.pk}/"))
    nina.get_by_label("Share with").select_option("india")
    nina.get_by_role("button", name="Share", exact=True).click()
    expect(nina.get_by_text("needs approval")).to_be_visible()
    assert not SharedRecord.objects.filter(source_id=deal.pk).exists()

    owner.goto(site(hotel.host, "/approvals/"))
    expect(owner.get_by_test_id("waiting-count")).to_have_text("1")
    expect(owner.get_by_test_id("waiting")).to_contain_text("asked by Nina Park")
    owner.get_by_role("button", name="Approve and share").click()
    expect(owner.get_by_text("is now shared with India Partners")).to_be_visible()
    assert SharedRecord.objects.filter(source_id=deal.pk).exists()

    # the members page shows her; Omar's invitation still waits
    owner.goto(site(hotel.host, "/settings/members/"))
    expect(owner.get_by_test_id("members")).to_contain_text("Nina Park")
    expect(owner.get_by_test_id("invitations")).to_contain_text("omar@hotel.test")
    expect(owner.get_by_test_id("invitations")).not_to_contain_text("nina@hotel.test")


def test_withdrawn_and_expired_invitations_answer_a_clear_page(browser, site):
    kilo = company_make("kilo", "Kilo Labs")
    owner = _owner_page(browser, site, kilo)
    owner.goto(site(kilo.host, "/settings/members/"))
    form = owner.get_by_test_id("invite-form")
    form.get_by_label("E-mail addresses").fill("late@kilo.test, gone@kilo.test")
    form.get_by_role("button", name="Send invitations").click()
    expect(owner.get_by_test_id("invitations")).to_contain_text("gone@kilo.test")
    late, gone = _link_for("late@kilo.test"), _link_for("gone@kilo.test")

    owner.once("dialog", lambda dialog: dialog.accept())
    owner.get_by_test_id("invitations").get_by_role(
        "row", name=re.compile("gone@kilo.test")
    ).get_by_role("button", name="Revoke").click()
    expect(owner.get_by_text("Invitation to gone@kilo.test withdrawn")).to_be_visible()
    ColleagueInvitation.objects.filter(email="late@kilo.test").update(
        expires_at=timezone.now() - timedelta(hours=1)
    )

    visitor = browser.new_page()
    visitor.goto(gone)
    expect(visitor.get_by_role("heading", name="This invitation was withdrawn")).to_be_visible()
    visitor.goto(late)
    expect(visitor.get_by_role("heading", name="This invitation has expired")).to_be_visible()
    expect(visitor.get_by_text("Ask Kilo Owner to send it again")).to_be_visible()

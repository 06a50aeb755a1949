"""SAML 2.0 single sign-on in a real browser against a real IdP (pysaml2, tests/idp/saml.py):
the owner adds the IdP from its metadata URL, verifies the company's domain in (local) DNS,
tests the connection with a real round trip, switches it on and requires SSO; a colleague then
signs in through the IdP and is created just in time, a member's password is refused, and the
session on this company's host is no session on another company's host."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import EmailDomain, SsoConnection, User
from tenants.models import Membership
from tests.builders import PASSWORD, company_make
from tests.idp.saml import SamlAccount, loopback_get

pytest_plugins = ["tests.idp.saml_fixture"]  # the `saml_idp` fixture

pytestmark = pytest.mark.e2e

OVERFLOW = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def _signed_in_owner(browser, site, world):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(site(world.host, "/accounts/login/"))
    page.get_by_label("Email").fill(world.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    return page


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(OVERFLOW)
        assert overflow <= 0, f"{page.url} at {width}px scrolls sideways by {overflow}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_owner_connects_a_saml_idp_and_a_colleague_signs_in_through_it(
    browser, site, saml_idp, dns_zone
):
    hotel = company_make("hotel", "Hotel Robotics")
    india = company_make("india", "India Partners")
    owner = _signed_in_owner(browser, site, hotel)

    # the IdP, from its metadata URL
    owner.goto(site(hotel.host, "/settings/sso/"))
    owner.get_by_role("link", name="Add SAML 2.0").click()
    form = owner.get_by_test_id("sso-connection-form")
    form.get_by_label("Name").fill("Hotel SAML")
    form.get_by_label("Groups that give a role").fill("Partner Admins = admin")
    form.get_by_label("IdP metadata URL").fill(saml_idp.metadata_url)
    form.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Hotel SAML is saved")).to_be_visible()
    connection = SsoConnection.objects.get(company=hotel.company)
    assert connection.saml_entity_id == saml_idp.entity_id
    assert connection.saml_sso_url == saml_idp.sso_url
    assert connection.saml_x509cert == saml_idp.x509cert
    sp = f"{site(hotel.host, '')}/accounts/saml/{connection.provider_id}"
    expect(owner.get_by_label("Assertion Consumer Service (ACS) URL")).to_have_value(f"{sp}/acs/")
    expect(owner.get_by_label("SP entity id (audience)")).to_have_value(f"{sp}/metadata/")
    expect(owner.get_by_role("button", name="Switch on")).to_be_disabled()
    _no_sideways_scroll(owner)
    assert f'Location="{sp}/acs/"' in loopback_get(f"{sp}/metadata/")  # the SP metadata

    # the domain, through DNS
    owner.goto(site(hotel.host, "/settings/sso/"))
    owner.get_by_label("E-mail domain").fill("hotel.test")
    owner.get_by_role("button", name="Add domain").click()
    txt = owner.get_by_label("TXT record value for hotel.test")
    expect(txt).to_have_value(re.compile(r"^ecosystem-cloud-verification="))
    dns_zone.publish("hotel.test", txt.input_value())
    owner.get_by_test_id("sso-domains").get_by_role("button", name="Verify").click()
    expect(owner.get_by_text("hotel.test is verified.")).to_be_visible()
    expect(owner.get_by_test_id("sso-connections")).to_contain_text("Hotel SAML")
    _no_sideways_scroll(owner)

    # Test: a real round trip through the IdP, recorded and nobody signed in
    saml_idp.account = SamlAccount(hotel.owner.email, "Hotel Owner", ["Partner Admins"])
    owner.get_by_role("link", name="Hotel SAML").click()
    owner.get_by_role("link", name="Test sign-in").click()
    result = owner.get_by_test_id("sso-test-result")
    expect(result).to_contain_text("Test passed")
    expect(result).to_contain_text(f"The IdP said {hotel.owner.email} (Hotel Owner)")
    expect(result).to_contain_text("groups Partner Admins")
    assert len(saml_idp.responses) == 1
    owner.get_by_role("button", name="Switch on").click()
    expect(owner.get_by_text("Hotel SAML is on")).to_be_visible()

    # Require SSO; the owner keeps a password as break-glass
    owner.goto(site(hotel.host, "/settings/sso/"))
    enforcement = owner.get_by_test_id("sso-enforcement")
    enforcement.get_by_label("Require single sign-on for every member").check()
    enforcement.get_by_label("Hotel Owner").check()
    enforcement.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Single sign-on is required now.")).to_be_visible()

    # a colleague the company has never seen signs in through the IdP
    saml_idp.account = SamlAccount("nina@hotel.test", "Nina Park", ["Sales"])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    nina = context.new_page()
    nina.goto(site(hotel.host, "/accounts/login/"))
    nina.get_by_role("link", name="Sign in with Hotel SAML").click()
    expect(nina).to_have_url(site(hotel.host, "/"))
    expect(nina.get_by_role("heading", name="Welcome, Nina Park")).to_be_visible()
    created = User.objects.get(email="nina@hotel.test")
    assert Membership.objects.get(user=created, company=hotel.company).role == "member"
    assert created.socialaccount_set.get().provider == connection.provider_id
    # her session belongs to Hotel's host: India's host asks her to sign in
    nina.goto(site(india.host, "/"))
    expect(nina).to_have_url(site(india.host, "/accounts/login/?next=/"))
    assert not Membership.objects.filter(user=created, company=india.company).exists()

    # a member's password is refused now
    member = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    member.goto(site(hotel.host, "/accounts/login/"))
    member.get_by_label("Email").fill(hotel.member.email)
    member.get_by_label("Password").fill(PASSWORD)
    member.get_by_role("button", name="Sign In").click()
    expect(member.get_by_text("signs its members in through its identity provider")).to_be_visible()
    expect(member).to_have_url(re.compile(r"/accounts/login/"))
    member.goto(site(hotel.host, "/"))
    expect(member).to_have_url(site(hotel.host, "/accounts/login/?next=/"))


def test_an_address_outside_the_verified_domains_is_refused_in_the_browser(browser, site, saml_idp):
    hotel = company_make("hotel", "Hotel Robotics")
    india = company_make("india", "India Partners")
    EmailDomain.objects.create(
        company=hotel.company, domain="hotel.test", verified_at=timezone.now()
    )
    SsoConnection.objects.create(
        company=hotel.company,
        protocol="saml",
        name="Hotel SAML",
        provider_id="saml-hotel0001",
        enabled=True,
        saml_entity_id=saml_idp.entity_id,
        saml_sso_url=saml_idp.sso_url,
        saml_x509cert=saml_idp.x509cert,
        tested_at=timezone.now(),
        test_result={"ok": True},
    )
    saml_idp.account = SamlAccount(india.owner.email, "India Owner")  # the takeover attempt
    page = browser.new_context().new_page()
    page.goto(site(hotel.host, "/accounts/login/"))
    page.get_by_role("link", name="Sign in with Hotel SAML").click()
    expect(page.get_by_test_id("sso-refused")).to_contain_text("not on a domain")
    assert not india.owner.socialaccount_set.exists()
    assert not Membership.objects.filter(user=india.owner, company=hotel.company).exists()
    page.goto(site(hotel.host, "/"))
    expect(page).to_have_url(site(hotel.host, "/accounts/login/?next=/"))

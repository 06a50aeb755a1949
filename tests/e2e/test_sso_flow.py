"""Single sign-on in a real browser against a real OpenID provider (npm oidc-provider): a
colleague signs in through the company's IdP and is created just in time; an address outside
the company's verified domains is refused and nothing is created."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from identity.models import EmailDomain, SsoConnection, User
from tenants.models import Membership
from tests.builders import company_make
from tests.idp.oidc import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.e2e


def _connected(slug: str, name: str, oidc_idp):  # type: ignore[no-untyped-def]
    world = company_make(slug, name)
    EmailDomain.objects.create(
        company=world.company, domain=f"{slug}.test", verified_at=timezone.now()
    )
    SsoConnection.objects.create(
        company=world.company,
        protocol="oidc",
        name="Hotel IdP",
        provider_id=f"oidc-{slug}0001",
        enabled=True,
        role_rules=[{"group": "Partner Admins", "role": "admin"}],
        oidc_issuer=oidc_idp.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        tested_at=timezone.now(),
        test_result={"ok": True},
    )
    return world


def _sign_in_at_idp(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # the IdP's consent page


def test_a_colleague_signs_in_through_the_idp_and_is_created_just_in_time(page, site, oidc_idp):
    hotel = _connected("hotel", "Hotel Robotics", oidc_idp)
    page.goto(site(hotel.host, "/accounts/login/"))
    page.get_by_role("link", name="Sign in with Hotel IdP").click()
    _sign_in_at_idp(page, "ada@hotel.test")
    expect(page).to_have_url(site(hotel.host, "/"))
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    ada = User.objects.get(email="ada@hotel.test")
    assert Membership.objects.get(user=ada, company=hotel.company).role == "admin"  # by group


def test_the_base_domain_sends_a_verified_domain_to_its_idp(page, site, oidc_idp):
    hotel = _connected("hotel", "Hotel Robotics", oidc_idp)
    page.goto(site("localhost", "/accounts/login/"))
    page.get_by_label("Email").fill("nina@hotel.test")
    page.get_by_role("button", name="Continue").click()
    _sign_in_at_idp(page, "nina@hotel.test")
    expect(page).to_have_url(site(hotel.host, "/"))
    nina = User.objects.get(email="nina@hotel.test")
    assert Membership.objects.get(user=nina, company=hotel.company).role == "member"
    # anything else gets the password form
    page.context.clear_cookies()
    page.goto(site("localhost", "/accounts/login/"))
    page.get_by_label("Email").fill("someone@elsewhere.test")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Password")).to_be_visible()


def test_an_address_outside_the_verified_domains_is_refused_and_nothing_is_created(
    page, site, oidc_idp
):
    hotel = _connected("hotel", "Hotel Robotics", oidc_idp)
    victim = company_make("india", "India Partners")
    page.goto(site(hotel.host, "/accounts/login/"))
    page.get_by_role("link", name="Sign in with Hotel IdP").click()
    # the IdP asserts somebody of another company (the takeover attempt)
    _sign_in_at_idp(page, victim.owner.email)
    expect(page.get_by_test_id("sso-refused")).to_contain_text("not on a domain")
    assert not Membership.objects.filter(user=victim.owner, company=hotel.company).exists()
    assert not victim.owner.socialaccount_set.exists()
    page.goto(site(victim.host, "/"))
    expect(page).to_have_url(site(victim.host, "/accounts/login/?next=/"))


def test_the_sso_settings_read_well_on_a_laptop_and_a_phone(browser, site, oidc_idp):
    from tests.builders import PASSWORD

    hotel = _connected("hotel", "Hotel Robotics", oidc_idp)
    EmailDomain.objects.create(company=hotel.company, domain="hotel-robotics.example")
    for width, height in ((1280, 860), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(site(hotel.host, "/accounts/login/"))
        page.get_by_label("Email").fill(hotel.admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.goto(site(hotel.host, "/settings/sso/"))
        expect(page.get_by_test_id("sso-connections")).to_contain_text("Hotel IdP")
        expect(page.get_by_label("TXT record value for hotel-robotics.example")).to_have_value(
            re.compile(r"^ecosystem-cloud-verification=")
        )
        page.screenshot(path=f"/tmp/sso-settings-{width}.png", full_page=True)
        overflow = page.evaluate(
            "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        assert overflow <= 0, f"{width}px wide: scrolls sideways by {overflow}px"
        page.goto(site(hotel.host, "/settings/members/"))
        expect(page.get_by_test_id("invite-form")).to_be_visible()
        context.close()

"""What a PBM does first: sign up, land in the workspace, log out, log in, switch company."""

import re

import pytest
from playwright.sync_api import expect

from tenants.models import Company, Membership, Role
from tenants.services.memberships import membership_add
from tests.builders import PASSWORD, company_make

pytestmark = pytest.mark.e2e


def _login(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email").fill(email)
    continue_button = page.get_by_role("button", name="Continue")
    if continue_button.count():  # the network's login asks for the e-mail first
        continue_button.click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def _sign_up(page, company: str, address: str, name: str, email: str, password: str) -> None:
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Workspace address").fill(address)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Sign Up").click()


def _emailed_code(email: str) -> str:
    from django.core import mail

    body = next(m.body for m in reversed(mail.outbox) if email in m.to)
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)


def test_sign_up_land_in_workspace_log_out_and_log_in(page, site):
    page.goto(site("localhost", "/"))
    page.get_by_role("link", name="Create your company's workspace").click()
    _sign_up(
        page,
        "Vandelay Industries",
        "vandelay",
        "Art Vandelay",
        "art@vandelay.test",
        "latex-salesman-1990",
    )
    # the code from the e-mail opens the workspace
    expect(page.get_by_text("sent a code to")).to_be_visible()
    assert not Company.objects.filter(slug="vandelay").exists()
    page.get_by_label("Code").fill(_emailed_code("art@vandelay.test"))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(site("vandelay.localhost", "/"))
    expect(page.get_by_role("heading", name="Welcome, Art Vandelay")).to_be_visible()
    company = Company.objects.get(slug="vandelay")
    assert (
        Membership.objects.get(company=company, user__email="art@vandelay.test").role == Role.OWNER
    )

    page.get_by_role("button", name=re.compile("Account menu")).click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"vandelay\.localhost:\d+/accounts/login/"))

    _login(page, "art@vandelay.test", "latex-salesman-1990")
    expect(page).to_have_url(site("vandelay.localhost", "/"))
    expect(page.get_by_role("heading", name="Welcome, Art Vandelay")).to_be_visible()


def test_bad_signup_keeps_what_was_typed_and_explains(page, site):
    company_make("kramerica")
    page.goto(site("localhost", "/accounts/signup/"))
    _sign_up(
        page, "Kramerica Two", "kramerica", "Cosmo K", "cosmo@kramerica.test", "oil-tanker-bladder"
    )
    expect(page.get_by_text("kramerica.localhost is already taken")).to_be_visible()
    expect(page.get_by_label("Company name")).to_have_value("Kramerica Two")
    expect(page.get_by_label("Email")).to_have_value("cosmo@kramerica.test")
    assert not Company.objects.filter(name="Kramerica Two").exists()


def test_member_of_one_company_is_refused_at_another(page, site):
    first = company_make("pendant", "Pendant Publishing")
    company_make("monks", "Monk's Cafe")
    page.goto(site("pendant.localhost", "/"))
    _login(page, first.member.email)
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()

    page.goto(site("monks.localhost", "/"))  # sessions are per host: sign in there too
    _login(page, first.member.email)
    expect(page.get_by_test_id("not-a-member")).to_be_visible()
    expect(page.get_by_text("You're not a member of Monk's Cafe")).to_be_visible()
    assert "owner@monks.test" not in page.content()


def test_switch_company_from_the_header(page, site):
    first = company_make("elaine", "Elaine Benes Inc")
    second = company_make("peterman", "J. Peterman")
    membership_add(actor=second.owner, company=second.company, user=first.member, role=Role.MEMBER)

    page.goto(site("localhost", "/accounts/login/"))
    _login(page, first.member.email)
    # two workspaces: the network host lists them
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    page.get_by_role("link", name=re.compile("Elaine Benes Inc")).click()
    expect(page).to_have_url(site("elaine.localhost", "/"))

    page.get_by_test_id("company-switcher").get_by_role("button").click()
    page.get_by_role("link", name=re.compile("J. Peterman")).click()
    expect(page).to_have_url(site("peterman.localhost", "/"))
    expect(page.get_by_text("J. Peterman · Member")).to_be_visible()


def test_phone_layout_hides_the_sidebar_behind_a_menu_button(browser, site):
    world = company_make("puddy", "Puddy Autos")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site("puddy.localhost", "/"))
    _login(page, world.member.email)
    sidebar = page.locator("#sidebar")
    expect(sidebar.get_by_role("link", name="Pipeline")).to_be_hidden()
    page.get_by_role("button", name="Open navigation").click()
    sidebar.get_by_role("link", name="Pipeline").click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    context.close()

"""A company admin sets up identity in a real browser, as they would on a working day.

- OpenID Connect configured in Settings against the real local IdP (npm oidc-provider): the
  e-mail domain is verified through a TXT record in a real (loopback) DNS server, Test runs the
  real round trip, the connection is switched on and SSO required; then a colleague signs in
  through the IdP and is created just in time, a password sign-in is refused with a sentence,
  and the SSO session is worth nothing on another company's host.
- SCIM: the admin makes a token in the browser; the test then speaks SCIM over HTTP to the live
  server as the IdP would; the admin maps the pushed group to a role and sees it on Members.
- Service accounts: a read-only token reads the API and is refused writes.
- The identity settings pages fit a laptop and a phone (no sideways scrolling)."""

from __future__ import annotations

import http.client
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from identity.models import DirectoryUser, SsoConnection, SsoPolicy, User
from tenants.models import Membership
from tests.builders import PASSWORD, company_make
from tests.idp.oidc import CLIENT_ID, CLIENT_SECRET
from tests.sharing.helpers import opportunity_make

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


# Keeps what the page writes to the clipboard, and lets the write go on.
CLIPBOARD_WATCH = """() => {
  const write = navigator.clipboard.writeText.bind(navigator.clipboard);
  navigator.clipboard.writeText = (text) => { window.__copied = text; return write(text); };
}"""


def _context(browser, width: int = 1280, height: int = 800):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    return context


def _password_sign_in(page, site, host: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site(host, "/accounts/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _signed_in_admin(browser, site, host: str, email: str, **viewport):  # type: ignore[no-untyped-def]
    page = _context(browser, **viewport).new_page()
    _password_sign_in(page, site, host, email)
    expect(page).to_have_url(site(host, "/"))
    return page


def _settings_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Settings → <name>, through the navigation as a person would get there."""
    page.get_by_role("link", name="Settings", exact=True).first.click()
    page.locator(".nav-tabs").get_by_role("link", name=name, exact=True).click()


def _sign_in_at_idp(page, email: str) -> None:  # type: ignore[no-untyped-def]
    """The local IdP's development pages: any password; then its consent page."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()


def _call(site, host: str, method: str, path: str, token: str, body=None):  # type: ignore[no-untyped-def]
    """One HTTP request to the live server as an integration makes it (Python cannot resolve
    *.localhost, so it connects to the loopback and names the company's host). Returns
    (status, parsed JSON body or None)."""
    port = urlparse(site()).port
    conn = http.client.HTTPConnection("localhost", port, timeout=10)
    headers = {"Host": f"{host}:{port}", "Authorization": f"Bearer {token}"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = SCIM_JSON if path.startswith("/scim/") else "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    return response.status, (json.loads(raw) if raw.strip() else None)


# The page's widths, and the first elements that reach past its right edge (for the message).
WIDER_THAN_THE_PAGE = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} → ${el.getBoundingClientRect().right}`);
  return [root.scrollWidth, root.clientWidth, wide];
}"""


def _no_sideways_scroll(page, label: str) -> None:  # type: ignore[no-untyped-def]
    width = page.viewport_size["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{label}-{width}.png"), full_page=True)
    scroll, client, wide = page.evaluate(WIDER_THAN_THE_PAGE)
    assert scroll <= client, (
        f"{label} at {width}px scrolls sideways ({scroll} > {client}): " + "; ".join(wide)
    )


# -- 1. OpenID Connect, set up by the admin ----------------------------------------------------


def test_admin_sets_up_oidc_requires_it_and_a_colleague_signs_in_through_it(
    browser, site, oidc_idp, dns_zone
):
    hotel = company_make("hotel", "Hotel Robotics")
    india = company_make("india", "India Partners")
    owner = _signed_in_admin(browser, site, hotel.host, hotel.owner.email)
    # a member who signed in with a password before SSO was required
    member = _context(browser).new_page()
    _password_sign_in(member, site, hotel.host, hotel.member.email)
    expect(member).to_have_url(site(hotel.host, "/"))

    # Settings → Single sign-on → Add OpenID Connect
    _settings_tab(owner, "Single sign-on")
    expect(owner.get_by_test_id("sso-connections")).to_contain_text("No identity provider yet")
    owner.get_by_role("link", name="Add OpenID Connect").click()
    form = owner.get_by_test_id("sso-connection-form")
    form.get_by_label("Name", exact=True).fill("Hotel IdP")
    form.get_by_label("Groups that give a role").fill("Partner Admins = admin")
    form.get_by_label("Issuer URL").fill(oidc_idp.issuer)
    form.get_by_label("Client id").fill(CLIENT_ID)
    form.get_by_label("Client secret").fill(CLIENT_SECRET)
    form.get_by_role("button", name="Save").click()
    expect(
        owner.get_by_text("Hotel IdP is saved. Give your IdP the addresses below")
    ).to_be_visible()
    connection = SsoConnection.objects.get(company=hotel.company)
    assert connection.oidc_client_secret == CLIENT_SECRET and not connection.enabled
    expect(owner.get_by_label("Redirect (callback) URL")).to_have_value(
        site(hotel.host, f"/accounts/oidc/{connection.provider_id}/login/callback/")
    )
    expect(owner.get_by_role("button", name="Switch on")).to_be_disabled()  # not tested yet

    # the e-mail domain, proved by a TXT record in the domain's DNS
    _settings_tab(owner, "Single sign-on")
    owner.get_by_label("E-mail domain").fill("hotel.test")
    owner.get_by_role("button", name="Add domain").click()
    expect(owner.get_by_text("Add the TXT record below to hotel.test's DNS")).to_be_visible()
    txt = owner.get_by_label("TXT record value for hotel.test").input_value()
    assert txt.startswith("ecosystem-cloud-verification=")
    domains = owner.get_by_test_id("sso-domains")
    domains.get_by_role("button", name="Verify").click()  # before it is published
    expect(owner.get_by_role("alert").filter(has_text="No TXT record")).to_be_visible()
    dns_zone.publish("_ecosystem-cloud.hotel.test", txt)
    domains.get_by_role("button", name="Verify").click()
    expect(owner.get_by_text("hotel.test is verified.")).to_be_visible()
    expect(domains).to_contain_text("verified")
    expect(domains.get_by_role("button", name="Verify")).to_have_count(0)

    # Test: a real round trip to the IdP, recorded and not signing anybody in
    owner.get_by_test_id("sso-connections").get_by_role("link", name="Hotel IdP").click()
    owner.get_by_role("link", name="Test sign-in").click()
    _sign_in_at_idp(owner, "ada@hotel.test")
    expect(owner).to_have_url(site(hotel.host, f"/settings/sso/{connection.pk}/"))
    result = owner.get_by_test_id("sso-test-result")
    expect(result).to_contain_text("Test passed")
    expect(result).to_contain_text("ada@hotel.test (Ada Admin), groups Partner Admins")
    expect(result).to_contain_text("a first sign-in would make them admin")
    assert not User.objects.filter(email="ada@hotel.test").exists()  # nobody signed in

    owner.get_by_role("button", name="Switch on").click()
    expect(owner.get_by_text("Hotel IdP is on: members can sign in with it")).to_be_visible()

    # Require SSO: refused while the owner (signed in by password) would lock themselves out
    _settings_tab(owner, "Single sign-on")
    enforcement = owner.get_by_test_id("sso-enforcement")
    enforcement.get_by_label("Require single sign-on for every member").check()
    enforcement.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("You signed in with a password: sign in through")).to_be_visible()
    assert not SsoPolicy.objects.filter(company=hotel.company, required=True).exists()
    enforcement.get_by_label("Require single sign-on for every member").check()
    enforcement.get_by_label("Hotel Owner").check()  # break-glass
    enforcement.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Single sign-on is required now.")).to_be_visible()
    policy = SsoPolicy.objects.get(company=hotel.company)
    assert policy.required and list(policy.break_glass.all()) == [hotel.owner]
    owner.reload()  # the break-glass owner's password session goes on
    expect(owner.get_by_test_id("sso-connections")).to_contain_text("Hotel IdP")
    # …and the member's password session has ended
    member.goto(site(hotel.host, "/"))
    expect(member).to_have_url(site(hotel.host, "/accounts/login/?next=/"))

    # a colleague at the IdP signs in from the company's login page, created just in time
    nina = _context(browser, 390, 844).new_page()
    nina.goto(site(hotel.host, "/"))
    nina.get_by_role("link", name="Sign in with Hotel IdP").click()
    _sign_in_at_idp(nina, "nina@hotel.test")
    expect(nina).to_have_url(site(hotel.host, "/"))
    expect(nina.get_by_role("heading", name="Welcome, Nina Park")).to_be_visible()
    nina_user = User.objects.get(email="nina@hotel.test")
    assert not nina_user.has_usable_password()
    assert Membership.objects.get(user=nina_user, company=hotel.company).role == "member"

    # a hotel.test member with a password is refused at the password form, in a sentence
    member.get_by_label("Email").fill(hotel.member.email)
    member.get_by_label("Password").fill(PASSWORD)
    member.get_by_role("button", name="Sign In").click()
    expect(
        member.get_by_text(
            "Hotel Robotics signs its members in through its identity provider. "
            "Use “Sign in with Hotel IdP” on Hotel Robotics's sign-in page."
        )
    ).to_be_visible()
    member.goto(site(hotel.host, "/"))
    expect(member).to_have_url(site(hotel.host, "/accounts/login/?next=/"))

    # signing in at Hotel opens nothing at India, even for a member of India
    from tenants.services.memberships import membership_add

    membership_add(actor=None, company=india.company, user=nina_user, role="member")
    nina.goto(site(india.host, "/"))
    expect(nina).to_have_url(site(india.host, "/accounts/login/?next=/"))
    expect(nina.get_by_text("India Partners", exact=True)).to_be_visible()
    expect(nina.get_by_role("link", name="Sign in with Hotel IdP")).to_have_count(0)


# -- 2. SCIM provisioning ----------------------------------------------------------------------


def test_admin_turns_on_scim_maps_a_pushed_group_to_admin_and_sees_people_come_and_go(
    browser, site
):
    from django.utils import timezone

    from identity.models import EmailDomain

    kilo = company_make("kilo", "Kilo Labs")
    lima = company_make("lima", "Lima Systems")
    # the directory vouches only for addresses on the company's verified domains
    EmailDomain.objects.create(
        company=kilo.company, domain="kilo-labs.test", verified_at=timezone.now()
    )
    # the SCIM token is an owner's to hand out (the directory can remove anyone)
    admin = _signed_in_admin(browser, site, kilo.host, kilo.owner.email)
    admin.context.grant_permissions(["clipboard-write"])

    _settings_tab(admin, "Provisioning")
    expect(admin.get_by_test_id("scim-status")).to_contain_text("off")
    expect(admin.get_by_label("SCIM base URL")).to_have_value(site(kilo.host, "/scim/v2/"))
    admin.get_by_role("button", name="Make a SCIM token").click()
    shown = admin.get_by_test_id("new-token")
    expect(shown).to_contain_text("it won't be shown again")
    # Copy, as the admin does to paste it into the IdP (the page may write the clipboard, not
    # read it: what it writes is watched instead)
    admin.evaluate(CLIPBOARD_WATCH)
    shown.get_by_role("button", name="Copy").click()
    expect(shown.get_by_role("button", name="Copied")).to_be_visible()
    token = admin.evaluate("window.__copied")
    assert token == admin.get_by_label("New token").input_value()
    assert re.fullmatch(r"eco_\w+_\S+", token), token
    # reloading the page sends its form again: that makes no new token, and shows none
    admin.reload()
    expect(admin).to_have_url(site(kilo.host, "/settings/provisioning/"))
    expect(admin.get_by_text("That form was sent already")).to_be_visible()
    expect(admin.get_by_test_id("new-token")).to_have_count(0)
    assert token not in admin.content()
    expect(admin.get_by_test_id("token-table").locator("tbody tr")).to_have_count(1)
    expect(admin.get_by_test_id("scim-status")).to_contain_text("on 0 people in the directory")

    # the IdP pushes a person and a group, over HTTP with the token
    status, sam = _call(
        site,
        kilo.host,
        "POST",
        "/scim/v2/Users",
        token,
        {
            "schemas": [USER_SCHEMA],
            "userName": "sam@kilo-labs.test",
            "name": {"givenName": "Sam", "familyName": "Sato"},
            "emails": [{"value": "sam@kilo-labs.test", "primary": True}],
            "active": True,
        },
    )
    assert status == 201, sam
    status, group = _call(
        site,
        kilo.host,
        "POST",
        "/scim/v2/Groups",
        token,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Partner Admins",
            "members": [{"value": sam["id"]}],
        },
    )
    assert status == 201, group
    # the token is Kilo's only
    assert _call(site, lima.host, "GET", "/scim/v2/Users", token)[0] == 401

    admin.reload()
    expect(admin.get_by_test_id("scim-status")).to_contain_text("on 1 person in the directory")
    groups = admin.get_by_test_id("scim-groups")
    expect(groups).to_contain_text("Partner Admins")
    _settings_tab(admin, "Members")
    expect(admin.get_by_label("Role of Sam Sato")).to_have_value("member")  # IdP says nothing yet

    _settings_tab(admin, "Provisioning")
    groups.get_by_label("Partner Admins").select_option("admin")
    groups.get_by_role("button", name="Save").click()
    expect(
        admin.get_by_text("Members of “Partner Admins” now get their role from it.")
    ).to_be_visible()
    expect(groups.get_by_label("Partner Admins")).to_have_value("admin")

    _settings_tab(admin, "Members")
    members = admin.get_by_test_id("members")
    expect(members.get_by_role("row", name=re.compile("Sam Sato"))).to_contain_text(
        "sam@kilo-labs.test"
    )
    expect(admin.get_by_label("Role of Sam Sato")).to_have_value("admin")

    # the IdP deactivates them: they leave the company's members
    status, body = _call(
        site,
        kilo.host,
        "PATCH",
        f"/scim/v2/Users/{sam['id']}",
        token,
        {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert status == 200 and body["active"] is False, body
    admin.reload()
    expect(members).not_to_contain_text("Sam Sato")
    expect(members).to_contain_text(kilo.owner.get_full_name())
    assert DirectoryUser.objects.filter(company=kilo.company, active=False).count() == 1
    _settings_tab(admin, "Provisioning")
    expect(admin.get_by_test_id("scim-status")).to_contain_text("1 deactivated")


# -- 3. Service accounts -----------------------------------------------------------------------


def test_a_read_only_service_account_reads_the_api_and_is_refused_writes(browser, site):
    mike = company_make("mike", "Mike Industries")
    oscar = company_make("oscar", "Oscar Goods")
    opportunity_make(mike, customer_name="Juliett Foods")
    admin = _signed_in_admin(browser, site, mike.host, mike.admin.email)

    _settings_tab(admin, "Service accounts")
    expect(admin.get_by_test_id("service-accounts")).to_contain_text("No service account yet")
    form = admin.get_by_test_id("service-account-form")
    form.get_by_label("Name", exact=True).fill("BI export")
    form.get_by_label("What it is for").fill("Nightly pipeline report")
    form.get_by_label("Records: read", exact=True).check()
    form.get_by_role("button", name="Create service account").click()
    expect(admin.get_by_test_id("new-token")).to_contain_text("it won't be shown again")
    expect(admin.get_by_role("heading", name="BI export")).to_be_visible()
    token = admin.get_by_label("New token").input_value()

    status, listing = _call(site, mike.host, "GET", "/api/v1/opportunities/", token)
    assert status == 200, listing
    assert [o["customer_name"] for o in listing["results"]] == ["Juliett Foods"]
    status, refused = _call(
        site,
        mike.host,
        "POST",
        "/api/v1/opportunities/",
        token,
        {"customer_name": "Kilo Farms", "amount": "1000.00", "currency": "EUR"},
    )
    assert status == 403, refused
    assert "scopes do not allow this" in refused["detail"]
    assert _call(site, oscar.host, "GET", "/api/v1/opportunities/", token)[0] == 401

    # reloading the page that showed the token sends its form again: nothing new is made
    admin.reload()
    expect(admin).to_have_url(site(mike.host, "/settings/service-accounts/"))
    expect(admin.get_by_text("That form was sent already")).to_be_visible()
    expect(admin.get_by_test_id("new-token")).to_have_count(0)
    expect(admin.get_by_test_id("service-accounts").locator("tbody tr")).to_have_count(1)
    admin.get_by_role("link", name="BI export").click()
    expect(admin.get_by_test_id("token-table")).to_contain_text("eco_")
    expect(admin.get_by_test_id("token-table")).not_to_contain_text("never")  # it was used
    _settings_tab(admin, "Service accounts")
    row = admin.get_by_test_id("service-accounts").get_by_role("row", name=re.compile("BI export"))
    expect(row).to_contain_text("records:read")
    expect(row).to_contain_text("Mike Admin")


# -- 4. Layout -----------------------------------------------------------------------------------


def test_identity_settings_pages_fit_a_laptop_and_a_phone(browser, site):
    from identity.models import DirectoryGroup
    from identity.scim.setup import scim_token_issue
    from identity.service_accounts import service_account_create

    november = company_make("november", "November Analytics Worldwide")
    owner_membership = Membership.objects.get(company=november.company, user=november.owner)
    scim_token_issue(
        actor=november.owner, actor_membership=owner_membership, company=november.company
    )
    DirectoryGroup.objects.create(
        company=november.company, display_name="EMEA Partner Success Managers (all regions)"
    )
    account, _ = service_account_create(
        actor=november.owner,
        actor_membership=owner_membership,
        company=november.company,
        name="Salesforce nightly synchronisation",
        description="Pulls opportunities and accounts from Salesforce every night at 02:00",
        scopes=["records:read", "records:write", "partners:read", "reports:read"],
        role="member",
        owner=november.owner,
        expires_in_days=90,
    )
    pages = [
        ("provisioning", "/settings/provisioning/"),
        ("service-accounts", "/settings/service-accounts/"),
        ("service-account", f"/settings/service-accounts/{account.pk}/"),
        ("api-tokens", "/settings/tokens/"),
    ]
    for width, height in ((1280, 800), (390, 844)):
        page = _signed_in_admin(
            browser, site, november.host, november.owner.email, width=width, height=height
        )
        for label, path in pages:
            page.goto(site(november.host, path))
            expect(page.locator(".nav-tabs .active")).to_be_visible()
            _no_sideways_scroll(page, label)
        # the pages right after a token was made, with the token on them
        page.goto(site(november.host, f"/settings/service-accounts/{account.pk}/"))
        page.get_by_role("button", name="Rotate token").click()
        expect(page.get_by_test_id("new-token")).to_be_visible()
        _no_sideways_scroll(page, "service-account-new-token")
        page.goto(site(november.host, "/settings/tokens/"))
        page.get_by_label("What will use it?").fill("My reporting script")
        page.get_by_role("button", name="Create token").click()
        expect(page.get_by_test_id("new-token")).to_be_visible()
        _no_sideways_scroll(page, "api-tokens-new-token")
        page.context.close()

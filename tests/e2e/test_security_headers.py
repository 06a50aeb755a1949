"""The Content-Security-Policy in a real browser: the pages a PBM, an admin and a platform admin
use break no directive (the `browser` fixture fails a test on any violation), and what moved from
inline handlers into static/js/app.js still works: selects that submit themselves, confirmations,
the Copy button, the "view as" picker."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from identity.models import User
from reports.services import metric_create
from tenants.models import Membership
from tests.builders import PASSWORD, company_make
from tests.sharing.helpers import opportunity_make, partners_make

pytestmark = pytest.mark.e2e

POLICY_ERRORS = ("Content Security Policy", "Permissions-Policy", "Permissions Policy")


def _session(browser, site, host: str, email: str):  # type: ignore[no-untyped-def]
    """A page logged in on `host`, that also keeps the browser's console messages."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(message.text))
    page.goto(site(host, "/accounts/login/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    return page


def _assert_headers(response) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "camera=()" in headers["permissions-policy"]


def _assert_no_policy_errors(page) -> None:  # type: ignore[no-untyped-def]
    """Chromium says in the console when it refuses something, or can't read our headers."""
    errors = [m for m in page.console_messages_seen if any(e in m for e in POLICY_ERRORS)]
    assert not errors, errors


def test_public_pages_sign_in_and_platform_admin(page, site):
    company_make("hooli", "Hooli")
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/find/", "/admin/login/"):
        _assert_headers(page.goto(site("localhost", path)))
    # the admin's login hands over to the product's sign-in (attempt limits, MFA)
    expect(page.get_by_role("button", name="Continue")).to_be_visible()

    # the network's login hands off to the company's host (form-action covers the redirect)
    page.goto(site("localhost", "/accounts/login/"))
    page.get_by_label("Email").fill("member@hooli.test")
    page.get_by_role("button", name="Continue").click()  # no SSO for hooli.test: a password
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(site("hooli.localhost", "/"))
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()
    page.goto(site("hooli.localhost", "/accounts/password/reset/"))
    expect(page.get_by_role("button", name=re.compile("Reset"))).to_be_visible()

    # a platform admin's pages
    from allauth.account.models import EmailAddress

    root = User.objects.create_superuser("root@platform.test", PASSWORD)
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    page.context.clear_cookies()
    page.goto(site("localhost", "/admin/"))
    page.get_by_label("Email").fill("root@platform.test")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Site administration")).to_be_visible()
    page.get_by_role("link", name=re.compile("Users")).first.click()
    expect(page.locator("#result_list")).to_be_visible()
    page.get_by_role("link", name="root@platform.test").click()
    expect(page.get_by_role("heading", name="Change user")).to_be_visible()
    errors = [m for m in messages if any(e in m for e in POLICY_ERRORS)]
    assert not errors, errors


def test_company_pages_and_what_app_js_does(browser, site):
    acme = company_make("initrode", "Initrode")
    partner = company_make("penetrode", "Penetrode")
    partners_make(acme, partner)
    deal = opportunity_make(acme, customer_name="Chotchkie's")
    with schema_context(acme.company.schema_name):
        metric_create(
            actor=acme.owner,
            data={
                "object_type": "opportunity",
                "name": "Pipeline by stage",
                "measure": "sum",
                "field": "amount",
                "group_by": "stage",
                "chart": "bar",
            },
        )
    page = _session(browser, site, acme.host, acme.admin.email)

    # the dashboard and the reports draw their charts
    response = page.goto(site(acme.host, "/"))
    _assert_headers(response)
    expect(page.locator("[data-metric][data-chart='bar']")).to_have_attribute("data-drawn", "true")
    page.goto(site(acme.host, "/reports/"))
    chart = page.locator("[data-metric][data-chart='bar']")
    expect(chart).to_have_attribute("data-drawn", "true")
    box = chart.locator("canvas").bounding_box()
    assert box and box["height"] > 200  # the taller chart area of the reports page

    page.goto(site(acme.host, "/pipeline/"))
    expect(page.get_by_role("link", name="Chotchkie's")).to_be_visible()

    # the opportunity: share it (htmx loads the partner's people), set the partner's part in
    # the deal with a select that submits itself, then "view as" the partner
    page.goto(site(acme.host, f"/pipeline/{deal.pk}/"))
    form = page.get_by_test_id("share-form")
    form.get_by_label("Share with").select_option("penetrode")
    expect(page.locator("#share-people")).to_contain_text("Penetrode")
    form.get_by_role("button", name="Share").click()
    expect(page.get_by_text("Shared with everyone at Penetrode")).to_be_visible()
    page.get_by_label("Penetrode's part in the deal").select_option("fulfilling")
    expect(page.get_by_label("Penetrode's part in the deal")).to_have_value("fulfilling")
    expect(page.get_by_text("Shared with everyone at Penetrode")).to_be_hidden()  # reloaded
    view_as = page.get_by_test_id("view-as")
    view_as.get_by_label("Preview as").select_option("penetrode")
    view_as.get_by_role("button", name="View as").click()
    expect(page).to_have_url(site(acme.host, f"/pipeline/{deal.pk}/preview/penetrode/"))
    expect(page.get_by_test_id("preview-banner")).to_contain_text("Penetrode")

    # partners: the type filter submits itself; ending a partnership asks first
    page.goto(site(acme.host, "/partners/"))
    page.get_by_label("Partner type").select_option("none")
    expect(page).to_have_url(re.compile(r"/partners/\?type=none$"))
    asked = []

    def dismiss(dialog):  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="End partnership").click()
    expect(page.get_by_test_id("partner-penetrode")).to_be_visible()
    assert asked == [
        "End the partnership with Penetrode? They will lose access to everything you shared "
        "with them."
    ]
    page.goto(site(acme.host, "/partners/directory/"))
    page.get_by_label("Partner type").select_option(index=1)
    expect(page).to_have_url(re.compile(r"/partners/directory/\?q=&type=\w+"))

    # members: removing one asks, and goes ahead when the admin says yes
    page.goto(site(acme.host, "/settings/members/"))
    row = page.get_by_role("row").filter(has_text=acme.member.email)
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("no longer belongs to Initrode")).to_be_visible()
    assert asked[-1] == (
        "Remove Initrode Member from Initrode? Their sessions and API tokens here end now."
    )
    assert not Membership.objects.filter(company=acme.company, user=acme.member).exists()

    # tokens: a new token and its Copy button
    page.goto(site(acme.host, "/settings/tokens/"))
    page.get_by_label("What will use it?").fill("CRM sync")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    page.get_by_test_id("new-token").get_by_role("button", name="Copy").click()
    expect(page.get_by_test_id("new-token").get_by_role("button")).to_have_text("Copied")
    _assert_no_policy_errors(page)


def test_api_docs_render_swagger_ui(browser, site):
    world = company_make("bachman", "Bachman Capital")
    page = _session(browser, site, world.host, world.member.email)
    response = page.goto(site(world.host, "/api/v1/docs/"))
    _assert_headers(response)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ecosystem Cloud API")
    expect(page.locator(".opblock").first).to_be_visible()  # the operations, from the schema
    _assert_no_policy_errors(page)


def test_two_factor_activation_shows_its_qr_code_and_recovery_codes(browser, site):
    world = company_make("aviato", "Aviato")
    page = _session(browser, site, world.host, world.member.email)
    page.goto(site(world.host, "/accounts/2fa/"))
    page.goto(site(world.host, "/accounts/2fa/totp/activate/"))
    if page.get_by_role("heading", name="Confirm Access").is_visible():  # allauth may ask again
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    qr = page.get_by_role("img", name=re.compile(r"^[A-Z2-7]+$"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the data: URI loaded
    secret = page.get_by_label("Authenticator secret").input_value()
    counter = int(time.time()) // 30
    page.get_by_label("Authenticator code").fill(format_hotp_value(hotp_value(secret, counter)))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    page.goto(site(world.host, "/accounts/2fa/recovery-codes/"))
    expect(page.get_by_text("recovery codes available")).to_be_visible()
    expect(page.get_by_label("Unused codes")).not_to_be_empty()
    page.goto(site(world.host, "/accounts/email/"))
    expect(page.get_by_role("heading", name="Email Addresses")).to_be_visible()
    _assert_no_policy_errors(page)

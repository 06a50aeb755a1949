"""The company's policies in a real browser: an admin classifies a partner as a reseller,
withholds deal amounts from resellers, asks for approval above 100,000 and draws the pipeline
on the dashboard; a PBM's share waits; the admin approves it; the reseller sees the deal
without its amount."""

import pytest
from playwright.sync_api import expect

from sharing.models import SharedRecord
from tests.builders import PASSWORD, company_make
from tests.sharing.helpers import opportunity_make, partners_make

pytestmark = pytest.mark.e2e


def _session(browser, site, world, user):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(site(world.host, "/"))
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    return page


def test_admin_sets_policies_a_share_waits_for_approval_and_the_reseller_reads_no_amount(
    browser, site
):
    acme = company_make("echo", "Echo Systems")
    reseller = company_make("foxtrot", "Foxtrot Resale")
    partnership = partners_make(acme, reseller)
    deal = opportunity_make(acme, customer_name="Initech")  # 125,000 USD, in qualify
    admin = _session(browser, site, acme, acme.admin)

    # classify the partner
    admin.goto(site(acme.host, f"/partners/{partnership.pk}/"))
    admin.get_by_test_id("edit-relationship").click()
    admin.get_by_label("Partner type (how we classify them)").select_option(label="Reseller")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_test_id("partner-type")).to_have_text("Reseller")

    # withhold the amount from resellers
    admin.goto(site(acme.host, "/settings/sharing-policy/"))
    admin.get_by_label("Withhold Amount from Reseller").first.check()
    admin.get_by_role("button", name="Save policy").click()
    expect(admin.get_by_text("Sharing policy saved.")).to_be_visible()

    # big deals need an admin's approval
    admin.goto(site(acme.host, "/settings/approvals/"))
    form = admin.get_by_test_id("approval-rule-form")
    form.get_by_label("Name").fill("Big deals")
    form.get_by_label("When the amount").fill("100000")
    form.get_by_label("Currency").fill("USD")
    form.get_by_role("button", name="Add rule").click()
    expect(admin.get_by_test_id("approval-rules")).to_contain_text("Big deals")

    # a metric on the dashboard
    admin.goto(site(acme.host, "/settings/metrics/"))
    metric = admin.get_by_test_id("metric-form")
    metric.get_by_label("Name").fill("Pipeline by stage")
    metric.get_by_label("Measure").select_option("sum")
    metric.get_by_label("Field (to sum or average)").select_option("amount")
    metric.get_by_label("Group by").select_option("stage")
    metric.get_by_role("button", name="Add metric").click()
    expect(admin.get_by_test_id("metric-list")).to_contain_text("Pipeline by stage")
    admin.goto(site(acme.host, "/"))
    chart = admin.locator("[data-metric][data-chart='bar']")
    expect(chart).to_have_attribute("data-drawn", "true")  # Chart.js drew it
    box = chart.locator("canvas").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100

    # the PBM shares: it waits
    pbm = _session(browser, site, acme, acme.member)
    pbm.goto(site(acme.host, f"/pipeline/{deal.pk}/"))
    pbm.get_by_label("Share with").select_option("foxtrot")
    pbm.get_by_role("button", name="Share", exact=True).click()
    expect(pbm.get_by_text("needs approval (Big deals")).to_be_visible()
    expect(pbm.get_by_test_id("pending-approvals")).to_contain_text("Foxtrot Resale")
    assert not SharedRecord.objects.filter(source_id=deal.pk).exists()

    # the admin approves from the inbox
    admin.goto(site(acme.host, "/approvals/"))
    expect(admin.get_by_test_id("waiting-count")).to_have_text("1")
    admin.get_by_role("button", name="Approve and share").click()
    expect(admin.get_by_text("is now shared with Foxtrot Resale")).to_be_visible()
    expect(admin.get_by_test_id("nothing-waiting")).to_be_visible()

    # the reseller reads the deal, without its amount
    theirs = _session(browser, site, reseller, reseller.member)
    theirs.goto(site(reseller.host, "/shared/"))
    theirs.get_by_role("link", name="Initech").click()
    expect(theirs.get_by_test_id("shared-fields")).to_contain_text("Initech")
    expect(theirs.get_by_test_id("shared-amount")).to_have_count(0)
    expect(theirs.get_by_test_id("shared-fields")).not_to_contain_text("125,000")

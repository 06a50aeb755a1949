"""The business schema in a real browser: an admin adds a choice field and a derived field (a
broken formula first), a PBM fills them in, filters the pipeline by them and saves the view."""

import pytest
from playwright.sync_api import expect

from tests.builders import PASSWORD, company_make

pytestmark = pytest.mark.e2e


def _login(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _new_deal(page, site, host, customer: str, amount: str, region_label: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site(host, "/pipeline/new/"))
    page.get_by_label("Deal name").fill(customer)
    page.get_by_label("Customer", exact=True).fill(customer)
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Close date").fill("2027-06-30")
    page.get_by_label("Region").select_option(label=region_label)
    page.get_by_role("button", name="Create opportunity").click()
    expect(page.get_by_text(f"Opportunity “{customer}” with {customer} created")).to_be_visible()


def test_admin_shapes_the_schema_and_a_pbm_works_with_it(browser, site):
    world = company_make("delta", "Delta Cloud")
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin_context.set_default_timeout(15_000)
    admin = admin_context.new_page()
    _login(admin, site(world.host, "/"), world.admin.email)

    # a choice field, shared with partners
    admin.goto(site(world.host, "/settings/fields/"))
    admin.get_by_test_id("add-field").click()
    admin.get_by_label("Label").fill("Region")
    admin.get_by_label("Key").fill("region")
    admin.get_by_label("Field type").select_option("choice")
    admin.get_by_label("Vocabulary").select_option(label="Regions")
    admin.get_by_label("Shareable").check()
    admin.get_by_role("button", name="Save field").click()
    expect(admin.get_by_test_id("field-table")).to_contain_text("Region")

    # a derived field: the broken formula is refused where it was typed, nothing saved
    admin.get_by_test_id("add-field").click()
    admin.get_by_label("Label").fill("Weighted")
    admin.get_by_label("Key").fill("weighted")
    admin.get_by_label("Field type").select_option("number")
    admin.get_by_label("Formula").fill("amount * probabilty")
    admin.get_by_role("button", name="Save field").click()
    expect(admin.get_by_text("There is no field called “probabilty”.")).to_be_visible()
    expect(admin.get_by_label("Label")).to_have_value("Weighted")  # nothing typed is lost
    admin.get_by_label("Formula").fill('amount * IF(region = "emea", 0.5, 0.25)')
    admin.get_by_role("button", name="Save field").click()
    expect(admin.get_by_test_id("field-table")).to_contain_text("Weighted")

    # a PBM fills them in; the derived value is computed
    pbm_context = browser.new_context(viewport={"width": 1280, "height": 900})
    pbm_context.set_default_timeout(15_000)
    pbm = pbm_context.new_page()
    _login(pbm, site(world.host, "/"), world.member.email)
    _new_deal(pbm, site, world.host, "Stark Industries", "200000", "Europe, Middle East & Africa")
    expect(pbm.get_by_test_id("custom-region")).to_have_text("Europe, Middle East & Africa")
    expect(pbm.get_by_test_id("custom-weighted")).to_have_text("100,000")
    _new_deal(pbm, site, world.host, "Oscorp", "80000", "Americas")
    expect(pbm.get_by_test_id("custom-weighted")).to_have_text("20,000")

    # filter the pipeline by the choice field, sort by the derived one
    pbm.goto(site(world.host, "/pipeline/"))
    pbm.get_by_label("Region", exact=True).select_option(label="Europe, Middle East & Africa")
    pbm.get_by_label("Sort").select_option(label="Weighted (high → low)")
    pbm.get_by_role("button", name="Apply").click()
    rows = pbm.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Stark Industries")
    expect(rows.first).to_contain_text("100,000")

    # save the view, leave, come back through it
    pbm.get_by_test_id("saved-views").get_by_role("button", name="Views").click()
    pbm.get_by_label("Save these filters as").fill("EMEA deals")
    pbm.get_by_test_id("save-view-form").get_by_role("button", name="Save view").click()
    expect(pbm.get_by_text("Saved the view “EMEA deals” for you.")).to_be_visible()
    pbm.goto(site(world.host, "/pipeline/"))
    expect(pbm.locator("tbody tr")).to_have_count(2)
    pbm.get_by_test_id("saved-views").get_by_role("button", name="Views").click()
    pbm.get_by_test_id("saved-view").filter(has_text="EMEA deals").click()
    expect(pbm.locator("tbody tr")).to_have_count(1)
    expect(pbm.locator("tbody tr").first).to_contain_text("Stark Industries")
    admin_context.close()
    pbm_context.close()

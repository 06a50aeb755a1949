"""A partner manager imports a spreadsheet of deals in the browser, on a phone (390 px) and on
a laptop (1366 px): upload, the suggested column matching, the check with its bad row in a
sentence, the import skipping it, the result and the export — no page scrolls sideways, and
no page breaks the Content-Security-Policy (the browser fixture fails the test on any)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from pipeline.models import Opportunity
from tests.builders import PASSWORD, company_make

pytestmark = pytest.mark.e2e
OVERFLOW = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
DEALS = (
    "Deal name,Account,Website,Amount,Close date,Stage\n"
    "Contoso renewal,Contoso,contoso.example,12500,2027-03-31,Qualify\n"
    "Fabrikam pilot,Fabrikam,fabrikam.example,8000,2027-04-30,Propose\n"
    "Broken,Initech,initech.example,lots,2027-05-31,Qualify\n"
)


def _fits(page, what: str, width: int) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{what} at {width}px scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [390, 1366])
def test_a_member_imports_a_file_of_deals(browser, site, tmp_path, width):  # type: ignore[no-untyped-def]
    world = company_make(f"importco{width}", f"Import Company {width}")
    upload = tmp_path / "deals.csv"
    upload.write_text(DEALS)
    page = browser.new_context(
        viewport={"width": width, "height": 844 if width == 390 else 768}, is_mobile=width == 390
    ).new_page()
    page.goto(site(world.host, "/"))
    page.get_by_label("Email").fill(world.member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(site(world.host, "/imports/"))
    _fits(page, "the import page", width)
    page.get_by_label("The file holds").select_option("opportunity")
    page.get_by_label("File", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and match columns").click()
    expect(page.get_by_test_id("columns-form")).to_be_visible()
    expect(page.get_by_label("Amount *")).to_have_value("Amount")
    _fits(page, "the column matching", width)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("check-result")).to_contain_text("2 to create")
    expect(page.get_by_test_id("row-errors")).to_contain_text("Row 4")
    expect(page.get_by_test_id("row-errors")).to_contain_text("“lots” is not a number")
    _fits(page, "the check's result", width)
    page.get_by_label("Skip the rows that fail, import the others").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-result")).to_contain_text("2 created")
    _fits(page, "the import's result", width)
    with schema_context(world.company.schema_name):
        assert sorted(Opportunity.objects.values_list("name", flat=True)) == [
            "Contoso renewal",
            "Fabrikam pilot",
        ]
    page.goto(site(world.host, "/imports/"))
    with page.expect_download() as download:
        page.get_by_test_id("exports").get_by_role("link", name="CSV").nth(1).click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Contoso renewal" in exported

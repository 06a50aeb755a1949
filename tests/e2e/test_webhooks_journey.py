"""An admin on a phone (390 px) sets up a webhook: adds an endpoint, reveals its secret, sends
a test event to a real receiver and reads the delivery — no page scrolls sideways, and no
page breaks the Content-Security-Policy (the browser fixture fails the test on any)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from tests.builders import PASSWORD, company_make
from tests.webhooks.helpers import Receiver

pytestmark = pytest.mark.e2e
OVERFLOW = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def _fits(page, what: str) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{what} at 390px scrolls sideways by {overflow}px"


def test_an_admin_sets_up_a_webhook_on_a_phone(browser, site):  # type: ignore[no-untyped-def]
    world = company_make("hookco", "Hook Company")
    receiver = Receiver().start()
    try:
        page = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True
        ).new_page()
        page.goto(site(world.host, "/"))
        page.get_by_label("Email").fill(world.admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.goto(site(world.host, "/settings/webhooks/"))
        expect(page.get_by_test_id("empty-state")).to_be_visible()
        _fits(page, "the webhooks list")
        page.get_by_test_id("add-endpoint").click()
        _fits(page, "the endpoint form")
        page.get_by_label("Endpoint URL").fill(receiver.url + "/a-rather-long-path/" + "x" * 80)
        page.get_by_label("Description").fill("Our integration hub")
        page.get_by_label("record.shared").check()
        page.get_by_label("comment.added").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_text("Endpoint added.")).to_be_visible()
        _fits(page, "the endpoint page")

        page.get_by_test_id("reveal-secret").click()
        secret_field = page.locator("#webhook-secret-value")
        expect(secret_field).to_be_visible()
        secret = secret_field.input_value()
        assert secret.startswith("whsec_")
        _fits(page, "the endpoint page with its secret")

        page.get_by_test_id("send-test").click()
        expect(page.get_by_text("A test event is on its way")).to_be_visible()
        assert receiver.wait_for(1)
        got = receiver.received[0]
        assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
        page.reload()
        row = page.get_by_test_id("delivery").first
        expect(row).to_have_attribute("data-state", "succeeded")
        _fits(page, "the delivery log")
        row.get_by_role("link").click()
        expect(page.get_by_test_id("webhook-id")).to_have_text(got.headers["webhook-id"])
        expect(page.get_by_test_id("request-body")).to_contain_text('"type":"webhook.test"')
        _fits(page, "a delivery's page")
        page.get_by_test_id("resend").click()
        expect(page.get_by_text("Resending now")).to_be_visible()
        assert receiver.wait_for(2)
        assert receiver.received[1].headers["webhook-id"] == got.headers["webhook-id"]
    finally:
        receiver.stop()

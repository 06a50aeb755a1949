"""The co-selling flow in a real browser: A shares an opportunity with B and C with restricted
visibility, B comments and adopts it, C cannot see B, A revokes C and C's open page is gone."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from pipeline.models import Opportunity
from tests.builders import PASSWORD, company_make
from tests.sharing.helpers import SECRET, opportunity_make, partners_make

pytestmark = pytest.mark.e2e


def _login(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_share_restricted_comment_adopt_revoke(browser, site):
    a = company_make("anvil", "Anvil Software")
    b = company_make("bolt", "Bolt Integrators")
    c = company_make("crane", "Crane Resellers")
    partners_make(a, b)
    partners_make(a, c)
    opportunity = opportunity_make(a, customer_name="Wayne Enterprises")

    pages = {}
    for key, world in (("a", a), ("b", b), ("c", c)):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        pages[key] = context.new_page()
        _login(pages[key], site(world.host, "/"), world.member.email)
    pa, pb, pc = pages["a"], pages["b"], pages["c"]

    # A shares with B and with C, then hides participants from each other
    pa.goto(site(a.host, f"/pipeline/{opportunity.pk}/"))
    for slug in ("bolt", "crane"):
        form = pa.get_by_test_id("share-form")
        form.get_by_label("Share with").select_option(slug)
        form.get_by_label("Role").select_option("contributor")
        form.get_by_role("button", name="Share").click()
        expect(pa.get_by_text("Shared with everyone at")).to_be_visible()
    pa.get_by_role("link", name="Open the shared view").click()
    pa.get_by_label("Hide participants from each other").check()
    pa.get_by_role("button", name="Save sharing settings").click()
    expect(pa.get_by_text("Sharing settings saved.")).to_be_visible()
    record_url_path = re.search(r"/shared/[0-9a-f-]+/", pa.url).group(0)

    # B finds it in its inbox, comments and adopts it
    pb.goto(site(b.host, "/shared/"))
    pb.get_by_test_id("inbox-row").filter(has_text="Wayne Enterprises").click()
    expect(pb.get_by_test_id("my-role")).to_have_text("contributor")
    expect(pb.get_by_test_id("participants")).not_to_contain_text("Crane Resellers")
    pb.get_by_label("Comment").fill("Bolt can run the implementation.")
    pb.get_by_role("button", name="Post comment").click()
    expect(pb.get_by_test_id("comments")).to_contain_text("Bolt can run the implementation.")
    pb.get_by_test_id("adopt").click()
    expect(pb).to_have_url(re.compile(r"bolt\.localhost:\d+/pipeline/[0-9a-f-]+/"))
    with schema_context(b.company.schema_name):
        assert Opportunity.objects.filter(customer_name="Wayne Enterprises").count() == 1
    assert SECRET not in pb.content()

    # C sees the record but neither B nor B's comment
    pc.goto(site(c.host, record_url_path))
    expect(pc.get_by_test_id("my-role")).to_have_text("contributor")
    expect(pc.get_by_test_id("participants")).not_to_contain_text("Bolt Integrators")
    expect(pc.get_by_test_id("comments")).not_to_contain_text("Bolt can run the implementation.")

    # A revokes C; C's open page answers 404 on reload
    pa.goto(site(a.host, f"/pipeline/{opportunity.pk}/"))
    pa.get_by_role("button", name="Stop sharing with Crane Resellers").click()
    expect(pa.get_by_text("Crane Resellers no longer sees this opportunity.")).to_be_visible()
    response = pc.reload()
    assert response.status == 404
    expect(pc.get_by_text("We couldn't find that page")).to_be_visible()
    for context_page in pages.values():
        context_page.context.close()

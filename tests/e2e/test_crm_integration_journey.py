"""The CRM journey in a real browser, against a real Tryton server and a real Celery worker:
an admin connects the local Tryton, looks at the suggested mapping and its preview, switches
the sync on and watches the initial import's progress bar, resolves a conflict, shares an
imported deal, and the partner sees it. The integration pages fit a phone."""

from __future__ import annotations

import os
import re

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from integrations.models import Connection, SyncConflict
from pipeline.models import Opportunity
from tests.builders import PASSWORD, company_make
from tests.crm.rpc import Tryton
from tests.integrations.helpers import celery_queue, rpc_context, seed
from tests.sharing.helpers import partners_make

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`

pytestmark = pytest.mark.e2e
OVERFLOW = "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def _close_connections(**_kwargs) -> None:
    connections.close_all()


@pytest.fixture
def worker(settings):  # type: ignore[no-untyped-def]
    """A real Celery worker thread on its own queue (other test processes use the broker too)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.INTEGRATIONS_PAGE_SIZE = 4  # several pages: the bar moves
    queue = f"crm-e2e-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    task_postrun.connect(_close_connections, weak=False)
    try:
        with (
            celery_queue(queue) as celery_app,
            start_worker(
                celery_app,
                pool="solo",
                perform_ping_check=False,
                shutdown_timeout=10,
                queues=[queue],
            ),
        ):
            yield
    finally:
        task_postrun.disconnect(_close_connections)


def _login(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_admin_connects_tryton_maps_imports_resolves_and_a_partner_sees_the_deal(
    browser,
    site,
    tryton_db,
    worker,
):
    nw = company_make("crmnorth", "Crm North")
    bp = company_make("crmpeak", "Crm Peak")
    partners_make(nw, bp)
    rpc = Tryton(tryton_db)
    rpc.login()
    opp_ids = seed(rpc, parties=6, per_party=3)

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(20_000)
    admin = context.new_page()
    _login(admin, site(nw.host, "/"), nw.admin.email)

    # connect
    admin.goto(site(nw.host, "/settings/integrations/"))
    expect(admin.get_by_test_id("empty-state")).to_be_visible()
    admin.get_by_role("link", name="Tryton").click()
    form = admin.get_by_test_id("connect-form")
    form.get_by_label("Server address").fill(tryton_db.url)
    form.get_by_label("Database").fill(tryton_db.database)
    form.get_by_label("Tryton user").fill(tryton_db.login)
    form.get_by_label("Password").fill(tryton_db.password)
    form.get_by_role("button", name="Connect").click()
    expect(admin.get_by_text("Connected to Tryton")).to_be_visible()

    # the suggested mapping, then its preview on real records
    opportunities = admin.get_by_test_id("mapping-opportunity")
    expect(opportunities.get_by_label("CRM field for Close date")).to_have_value("end_date")
    expect(opportunities.get_by_label("CRM field for Stage")).to_have_value("state")
    opportunities.get_by_role("button", name="Save and preview").click()
    expect(admin.get_by_test_id("preview-summary")).to_contain_text("Every value converts")
    expect(admin.get_by_test_id("preview")).to_contain_text("would be created")
    with schema_context(nw.company.schema_name):
        assert not Opportunity.objects.exists()
    admin.get_by_role("link", name="Back to the mapping").click()

    # switch on: the initial import runs in the worker while the bar moves
    admin.get_by_test_id("switch-on").click()
    progress = admin.get_by_test_id("run-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(progress).to_contain_text(re.compile(r"of \d+ records"))
    admin.reload()
    expect(admin.get_by_test_id("runs")).to_contain_text("Initial import")
    with schema_context(nw.company.schema_name):
        assert Opportunity.objects.count() == 18

    # both sides change one deal's next step … its amount: a conflict, resolved in the inbox
    with schema_context(nw.company.schema_name):
        deal = Opportunity.objects.get(customer_name="Customer 2", amount=3001)
    admin.goto(site(nw.host, f"/pipeline/{deal.pk}/edit/"))
    admin.get_by_label("Amount").fill("3500")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Saved.")).to_be_visible()
    rpc(
        "model.sale.opportunity.write",
        [opp_ids[7]],
        {"amount": {"__class__": "Decimal", "decimal": "3900"}},
        rpc_context(rpc),
    )
    with schema_context(nw.company.schema_name):
        connection = Connection.objects.get()
    admin.goto(site(nw.host, f"/settings/integrations/{connection.pk}/"))
    admin.get_by_role("button", name="Sync now").click()
    expect(admin.get_by_test_id("run-progress")).to_have_attribute(
        "data-state", "succeeded", timeout=60_000
    )
    admin.reload()
    expect(admin.get_by_test_id("conflict-count")).to_have_text("1 conflict")
    admin.get_by_test_id("conflict-count").click()
    conflict = admin.get_by_test_id("conflict")
    expect(conflict.get_by_test_id("ours")).to_have_text("3500")
    expect(conflict.get_by_test_id("theirs")).to_have_text("3900")
    expect(conflict).to_contain_text(nw.admin.get_full_name())
    conflict.get_by_role("button", name="Take the CRM's").click()
    expect(admin.get_by_text("Resolved.")).to_be_visible()
    expect(admin.get_by_test_id("empty-state")).to_be_visible()
    with schema_context(nw.company.schema_name):
        deal.refresh_from_db()
        assert deal.amount == 3900
        assert SyncConflict.objects.get().state == "theirs"

    # the imported deal goes to a partner through the publish step
    admin.goto(site(nw.host, f"/pipeline/{deal.pk}/"))
    share = admin.get_by_test_id("share-form")
    share.get_by_label("Share with").select_option("crmpeak")
    share.get_by_label("Role").select_option("viewer")
    share.get_by_role("button", name="Share").click()
    expect(admin.get_by_text("Shared with everyone at")).to_be_visible()
    partner = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _login(partner, site(bp.host, "/"), bp.member.email)
    partner.goto(site(bp.host, "/shared/"))
    expect(partner.get_by_test_id("inbox-row").filter(has_text=deal.name)).to_be_visible()

    # the integration pages at phone size
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _login(phone, site(nw.host, "/"), nw.admin.email)
    for path in ("/settings/integrations/", f"/settings/integrations/{connection.pk}/",
                 f"/settings/integrations/{connection.pk}/mapping/",
                 f"/settings/integrations/{connection.pk}/conflicts/",
                 f"/settings/integrations/{connection.pk}/dead-letters/"):  # fmt: skip
        phone.goto(site(nw.host, path))
        overflow = phone.evaluate(OVERFLOW)
        assert overflow <= 0, f"{path} at 390px scrolls sideways by {overflow}px"

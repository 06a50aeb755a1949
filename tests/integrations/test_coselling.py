"""Co-selling through the layer: a partner's shared deal goes into my CRM in one step; a
share revoked before the sync runs is never pushed; strangers get 404."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from integrations.models import RemoteCreateRequest, SyncRun
from integrations.sync.engine import sync_run_execute
from pipeline.models import Opportunity
from sharing.records.services.sharing import sharing_entry_remove, sharing_entry_set
from tests.builders import client_on, company_make
from tests.crm.rpc import Tryton
from tests.integrations.helpers import connect, run_now
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`


@pytest.fixture
def rpc(tryton_db):
    client = Tryton(tryton_db)
    client.login()
    return client


def _shared_with(acme, globex):  # type: ignore[no-untyped-def]
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme, customer_name="Wayne Enterprises")
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    return record


def _opportunities_in(rpc) -> list[dict]:  # type: ignore[no-untyped-def]
    return rpc(
        "model.sale.opportunity.search_read",
        [],
        0,
        None,
        None,
        ["reference", "party.name", "amount"],
        {},
    )


@pytest.mark.django_db
def test_a_partners_deal_goes_into_my_crm_in_one_step(
    acme, globex, tryton_db, rpc, django_capture_on_commit_callbacks
):
    record = _shared_with(acme, globex)
    connection = connect(globex, tryton_db)
    run_now(globex, connection, first=True)
    client = client_on(globex.host, globex.member)
    page = client.get(f"/shared/{record.pk}/").content.decode()
    assert 'data-testid="add-to-crm"' in page
    assert (
        'data-testid="add-to-crm"'
        not in client_on(acme.host, acme.member).get(f"/shared/{record.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/shared/{record.pk}/add-to-crm/", follow=True)
    assert "goes to your CRM with the next sync" in response.content.decode()
    with schema_context(globex.company.schema_name):
        copy = Opportunity.objects.get(adopted_from_id=record.pk)
        assert SyncRun.objects.filter(state="succeeded").count() == 2
        assert RemoteCreateRequest.objects.get(local_id=copy.pk).done_at is not None
    rows = [r for r in _opportunities_in(rpc) if r["reference"] == f"ecosystem:{copy.pk}"]
    assert len(rows) == 1 and rows[0]["party."]["name"] == "Wayne Enterprises"
    # again: nothing twice
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/shared/{record.pk}/add-to-crm/", follow=True)
    assert "in your CRM already" in again.content.decode()
    assert len([r for r in _opportunities_in(rpc) if r["reference"] == f"ecosystem:{copy.pk}"]) == 1


@pytest.mark.django_db
def test_a_share_revoked_before_the_sync_is_never_pushed(
    acme, globex, tryton_db, rpc, django_capture_on_commit_callbacks
):
    record = _shared_with(acme, globex)
    connection = connect(globex, tryton_db)
    run_now(globex, connection, first=True)
    before = len(_opportunities_in(rpc))
    parties = rpc("model.party.party.search_count", [], {})
    # asked for, but the run is still queued (its task not executed)
    client_on(globex.host, globex.member).post(f"/shared/{record.pk}/add-to-crm/")
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    with schema_context(globex.company.schema_name):
        queued = SyncRun.objects.get(state="queued")
        done = sync_run_execute(run_id=queued.pk)
        assert done.state == "succeeded" and done.skipped >= 1 and done.pushed == 0
    assert len(_opportunities_in(rpc)) == before
    # nor the customer's account that came with it
    assert rpc("model.party.party.search_count", [], {}) == parties


@pytest.mark.django_db
def test_strangers_and_revoked_partners_get_404_and_change_nothing(acme, globex, tryton_db):
    record = _shared_with(acme, globex)
    stranger = company_make("initech")
    assert (
        client_on(stranger.host, stranger.member)
        .post(f"/shared/{record.pk}/add-to-crm/")
        .status_code
        == 404
    )
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    assert (
        client_on(globex.host, globex.member).post(f"/shared/{record.pk}/add-to-crm/").status_code
        == 404
    )
    with schema_context(globex.company.schema_name):
        assert not Opportunity.objects.exists()

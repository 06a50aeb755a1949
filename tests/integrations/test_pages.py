"""Settings → Integrations in the browser's terms (Django's test client on the company's
host): connect the real local Tryton, map with a preview, switch on, watch the run, resolve a
conflict, replay a failed record; members see an admin-only page, other companies nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from identity.models import ServiceAccount
from integrations.models import Connection, FieldMapping, ObjectMapping, SyncConflict, SyncRun
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from tests.builders import client_on
from tests.crm.rpc import Tryton
from tests.integrations.helpers import connection_plant, rpc_context, seed

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`


@pytest.fixture
def rpc(tryton_db):
    client = Tryton(tryton_db)
    client.login()
    return client


def _connect_form(db, **overrides):  # type: ignore[no-untyped-def]
    return {
        "name": "Northwind Tryton",
        "url": db.url,
        "database": db.database,
        "login": db.login,
        "password": db.password,
        **overrides,
    }


def _mapping_post(mapping, **overrides):  # type: ignore[no-untyped-def]
    data = {}
    for f in mapping.fields.all():
        data[f"remote:{f.local_field}"] = f.remote_field
        data[f"sor:{f.local_field}"] = f.system_of_record
        for remote, ours in f.value_map.items():
            data[f"map:{f.local_field}:{remote}"] = ours
    data["on_remote_delete"] = mapping.on_remote_delete
    return {**data, **overrides}


@pytest.mark.django_db
def test_admin_connects_maps_previews_switches_on_and_resolves_a_conflict(
    acme,
    globex,
    tryton_db,
    rpc,
    django_capture_on_commit_callbacks,
):
    (opp_id,) = seed(rpc, parties=1, per_party=1)
    admin = client_on(acme.host, acme.admin)
    response = admin.post("/settings/integrations/new/tryton/", _connect_form(tryton_db))
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(acme.company.schema_name):
        connection = Connection.objects.get()
        assert connection.secret and "ecosystem-sync-0123" not in str(connection.settings)
        opportunities = ObjectMapping.objects.get(kind="opportunity")
    account = ServiceAccount.objects.get(pk=connection.service_account_id)
    assert account.company == acme.company and account.user.is_service_account
    page = admin.get(f"/settings/integrations/{connection.pk}/mapping/").content.decode()
    assert "Sale opportunities" in page or "Sale Opportunity" in page
    assert 'name="remote:close_date"' in page

    # a mapping onto a field of the wrong type: a clear error, nothing changed
    with schema_context(acme.company.schema_name):
        before = list(
            FieldMapping.objects.filter(object_mapping=opportunities).values_list(
                "remote_field", "local_field"
            )
        )
        wrong = _mapping_post(opportunities, **{"remote:amount": "description"})
    refused = admin.post(
        f"/settings/integrations/{connection.pk}/mapping/{opportunities.pk}/", wrong, follow=True
    )
    assert (
        "Nothing was saved" in refused.content.decode()
        and "takes numbers" in refused.content.decode()
    )
    with schema_context(acme.company.schema_name):
        after = list(
            FieldMapping.objects.filter(object_mapping=opportunities).values_list(
                "remote_field", "local_field"
            )
        )
    assert before == after

    preview = admin.get(
        f"/settings/integrations/{connection.pk}/mapping/{opportunities.pk}/preview/"
    ).content.decode()
    assert "Deal 0-0" in preview  # (Tryton's description is suggested as the deal name)
    assert "1000" in preview and "would be created" in preview
    with schema_context(acme.company.schema_name):
        assert not Opportunity.objects.exists()  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        switched = admin.post(f"/settings/integrations/{connection.pk}/switch-on/", follow=True)
    assert "The sync is on" in switched.content.decode()
    detail = admin.get(f"/settings/integrations/{connection.pk}/").content.decode()
    assert "Initial import" in detail and "Succeeded" in detail
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.get()
        run = SyncRun.objects.get()
    progress = admin.get(
        f"/settings/integrations/{connection.pk}/runs/{run.pk}/progress/"
    ).content.decode()
    assert 'data-state="succeeded"' in progress and "hx-trigger" not in progress

    # both sides change the amount → the conflict inbox
    with schema_context(acme.company.schema_name):
        opportunity_update(
            actor=acme.member, company=acme.company, opportunity=deal,
            data={"amount": Decimal("2500")}, expected_version=deal.version,
        )  # fmt: skip
    rpc(
        "model.sale.opportunity.write",
        [opp_id],
        {"amount": {"__class__": "Decimal", "decimal": "2750"}},
        rpc_context(rpc),
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/settings/integrations/{connection.pk}/sync/")
    inbox = admin.get(f"/settings/integrations/{connection.pk}/conflicts/").content.decode()
    assert "2500" in inbox and "2750" in inbox and acme.member.get_full_name() in inbox
    with schema_context(acme.company.schema_name):
        conflict = SyncConflict.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            f"/settings/integrations/{connection.pk}/conflicts/{conflict.pk}/resolve/",
            {"choice": "theirs"},
        )
    with schema_context(acme.company.schema_name):
        deal.refresh_from_db()
        assert deal.amount == Decimal("2750")
        assert SyncConflict.objects.get().state == "theirs"

    listing = admin.get("/settings/integrations/")
    assert listing.status_code == 200 and "Northwind Tryton" in listing.content.decode()

    # another company's people reach none of it
    other = client_on(globex.host, globex.admin)
    for path in (
        f"/settings/integrations/{connection.pk}/",
        f"/settings/integrations/{connection.pk}/mapping/",
        f"/settings/integrations/{connection.pk}/conflicts/",
    ):
        assert other.get(path).status_code == 404
    assert "Northwind Tryton" not in other.get("/settings/integrations/").content.decode()


@pytest.mark.django_db
def test_bad_credentials_are_refused_and_nothing_is_created(acme, tryton_db):
    admin = client_on(acme.host, acme.admin)
    response = admin.post(
        "/settings/integrations/new/tryton/",
        _connect_form(tryton_db, login="nobody", password="wrong"),
    )
    assert response.status_code == 200
    assert "Tryton refused the sign-in" in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert not Connection.objects.exists()
    assert not ServiceAccount.objects.filter(company=acme.company).exists()
    unknown = admin.post(
        "/settings/integrations/new/tryton/", _connect_form(tryton_db, database="nope")
    )
    assert "has no database" in unknown.content.decode()


@pytest.mark.django_db
def test_members_get_the_admin_only_page_and_change_nothing(acme):
    planted = connection_plant(acme)
    member = client_on(acme.host, acme.member)
    c = planted["connection"]
    assert member.get("/settings/integrations/").status_code == 403
    assert member.get(f"/settings/integrations/{c.pk}/").status_code == 403
    assert member.post(f"/settings/integrations/{c.pk}/pause/").status_code == 403
    with schema_context(acme.company.schema_name):
        assert Connection.objects.get().state == "active"


@pytest.mark.django_db
def test_pause_resume_replay_and_disconnect(acme, django_capture_on_commit_callbacks):
    planted = connection_plant(acme)
    c = planted["connection"]
    admin = client_on(acme.host, acme.admin)
    admin.post(f"/settings/integrations/{c.pk}/pause/")
    with schema_context(acme.company.schema_name):
        assert Connection.objects.get().state == "paused"
    refused = admin.post(f"/settings/integrations/{c.pk}/sync/", follow=True)
    assert "nothing syncs until it is switched on" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            f"/settings/integrations/{c.pk}/pause/"
        )  # resume: a run starts (and fails: no CRM)
    with schema_context(acme.company.schema_name):
        assert Connection.objects.get().state == "active"
        failed = SyncRun.objects.filter(state="failed").get()
        assert "could not be reached" in failed.error
    letters = admin.get(f"/settings/integrations/{c.pk}/dead-letters/").content.decode()
    assert "Name: too long." in letters
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/settings/integrations/{c.pk}/dead-letters/{planted['letter'].pk}/replay/")
    with schema_context(acme.company.schema_name):
        assert SyncRun.objects.filter(trigger="replay").exists()
    admin.post(f"/settings/integrations/{c.pk}/disconnect/")
    with schema_context(acme.company.schema_name):
        gone = Connection.objects.get()
        assert gone.state == "disconnected" and gone.secret == ""
    assert ServiceAccount.objects.get(pk=c.service_account_id).disabled_at is not None


@pytest.mark.django_db
def test_admins_hear_of_repeated_failures_once(acme, django_capture_on_commit_callbacks):
    planted = connection_plant(acme)
    c = planted["connection"]
    admin = client_on(acme.host, acme.admin)
    mail.outbox.clear()
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            admin.post(f"/settings/integrations/{c.pk}/sync/")
    with schema_context(acme.company.schema_name):
        connection = Connection.objects.get()
        assert connection.state == "failing" and connection.consecutive_failures == 4
    notices = [m for m in mail.outbox if "keeps failing" in m.subject]
    assert len(notices) == 1
    assert set(notices[0].to) == {acme.owner.email, acme.admin.email}

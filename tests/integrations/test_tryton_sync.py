"""End to end against a real Tryton server: the initial import, changes both ways, a
conflict, a custom field round trip, deletions, and re-runs that change nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from accounts.models import Account
from business.services.fields import field_create
from integrations.models import (
    ConflictState,
    ExternalLink,
    FieldMapping,
    ObjectMapping,
    RunState,
    SyncConflict,
)
from integrations.services import conflict_resolve, mapping_document, object_mapping_update
from pipeline.models import Opportunity
from pipeline.services import opportunity_update
from tenants.models import Membership
from tests.crm.rpc import Tryton
from tests.integrations.helpers import connect, rpc_context, run_now, seed

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`


@pytest.fixture
def rpc(tryton_db):
    client = Tryton(tryton_db)
    client.login()
    return client


@pytest.mark.django_db
def test_initial_import_then_changes_flow_both_ways(acme, globex, tryton_db, rpc):
    opp_ids = seed(rpc, parties=2, per_party=2)
    connection = connect(acme, tryton_db)
    with schema_context(acme.company.schema_name):
        suggested = {
            m.kind: {f.local_field: f.remote_field for f in m.fields.all()}
            for m in ObjectMapping.objects.filter(connection=connection)
        }
    assert suggested["account"]["name"] == "name"
    assert suggested["account"]["domains"] == "website"
    assert suggested["opportunity"]["account"] == "party"
    assert suggested["opportunity"]["close_date"] == "end_date"
    assert suggested["opportunity"]["stage"] == "state"

    run = run_now(acme, connection, first=True)
    with schema_context(acme.company.schema_name):
        assert run.state == RunState.SUCCEEDED, (run.error, _letters())
    # the customers only: not the parties Tryton keeps for its own company and employees
    parties = 2
    with schema_context(acme.company.schema_name):
        assert not Account.objects.filter(
            name__in=["Northwind CRM Inc.", "Ecosystem Cloud sync"]
        ).exists()
    assert (run.created, run.failed, run.expected) == (parties + 4, 0, parties + 4)
    with schema_context(acme.company.schema_name):
        accounts = {a.name: a for a in Account.objects.all()}
        assert accounts["Customer 1"].domains == ["customer1.example"]
        deal = Opportunity.objects.get(
            pk=ExternalLink.objects.get(external_id=str(opp_ids[0]), kind="opportunity").local_id
        )
        assert (deal.customer_name, deal.amount, str(deal.close_date), deal.stage) == (
            "Customer 0",
            Decimal("1000.00"),
            "2027-06-30",
            "prospect",
        )
    with schema_context(globex.company.schema_name):
        assert not Opportunity.objects.exists() and not Account.objects.exists()

    # a re-run reads nothing new and changes nothing
    again = run_now(acme, connection)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)

    # a change in Tryton shows up here
    ctx = rpc_context(rpc)
    rpc(
        "model.sale.opportunity.write",
        [opp_ids[0]],
        {"amount": {"__class__": "Decimal", "decimal": "1500.00"}},
        ctx,
    )
    changed = run_now(acme, connection)
    assert changed.updated == 1 and changed.created == 0
    with schema_context(acme.company.schema_name):
        deal.refresh_from_db()
        assert deal.amount == Decimal("1500.00")

        # a change here shows up in Tryton
        opportunity_update(
            actor=acme.member, company=acme.company, opportunity=deal,
            data={"stage": "qualify", "close_date": deal.close_date.replace(month=9)},
            expected_version=deal.version,
        )  # fmt: skip
    pushed = run_now(acme, connection)
    assert pushed.pushed == 1, pushed.error
    (row,) = rpc("model.sale.opportunity.read", [opp_ids[0]], ["state", "end_date"], ctx)
    assert row["state"] == "opportunity" and str(row["end_date"]) == "2027-09-30"
    # and the echo of our own write changes nothing here
    echo = run_now(acme, connection)
    assert (echo.updated, echo.conflicts, echo.pushed) == (0, 0, 0)


@pytest.mark.django_db
def test_both_sides_change_lands_in_the_conflict_inbox_and_is_resolved(acme, tryton_db, rpc):
    (opp_id,) = seed(rpc, parties=1, per_party=1)
    connection = connect(acme, tryton_db)
    run_now(acme, connection, first=True)
    ctx = rpc_context(rpc)
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.get()
        opportunity_update(
            actor=acme.member, company=acme.company, opportunity=deal,
            data={"amount": Decimal("2222.00")}, expected_version=deal.version,
        )  # fmt: skip
    rpc(
        "model.sale.opportunity.write",
        [opp_id],
        {"amount": {"__class__": "Decimal", "decimal": "3333.00"}},
        ctx,
    )
    run = run_now(acme, connection)
    assert run.conflicts == 1 and run.pushed == 0
    with schema_context(acme.company.schema_name):
        conflict = SyncConflict.objects.get(state=ConflictState.OPEN)
        assert (conflict.local_field, conflict.ours, conflict.theirs) == ("amount", "2222", "3333")
        assert conflict.ours_changed_by_id == acme.member.pk
        deal.refresh_from_db()
        assert deal.amount == Decimal("2222.00")  # nothing overwritten
    (row,) = rpc("model.sale.opportunity.read", [opp_id], ["amount"], ctx)
    assert (
        row["amount"] == {"__class__": "Decimal", "decimal": "3333.00"}
        or str(row["amount"]) == "3333.00"
    )
    # running again doesn't open a second conflict for the same field
    assert run_now(acme, connection).conflicts == 0
    membership = Membership.objects.get(company=acme.company, user=acme.owner)
    with schema_context(acme.company.schema_name):
        conflict_resolve(
            actor=acme.owner, actor_membership=membership, company=acme.company,
            conflict=SyncConflict.objects.get(state=ConflictState.OPEN), choice="ours",
        )  # fmt: skip
    after = run_now(acme, connection)
    assert after.pushed == 1 and after.conflicts == 0
    (row,) = rpc("model.sale.opportunity.read", [opp_id], ["amount"], ctx)
    assert row["amount"] == Decimal("2222")


@pytest.mark.django_db
def test_a_custom_field_round_trips_and_deletions_archive(acme, tryton_db, rpc):
    opp_ids = seed(rpc, parties=1, per_party=2)
    connection = connect(acme, tryton_db)
    membership = Membership.objects.get(company=acme.company, user=acme.owner)
    with schema_context(acme.company.schema_name):
        field_create(
            actor=acme.owner, company=acme.company,
            data={"object_type": "opportunity", "key": "probability", "label": "Probability", "field_type": "number"},
        )  # fmt: skip
        mapping = ObjectMapping.objects.get(connection=connection, kind="opportunity")
        document = mapping_document(mapping)
        rows = [
            *document["fields"],
            {
                "remote_field": "conversion_probability",
                "local_field": "custom.probability",
                "system_of_record": "both",
            },
        ]
        object_mapping_update(
            actor=acme.owner,
            actor_membership=membership,
            connection=connection,
            mapping=mapping,
            fields=rows,
        )
        assert FieldMapping.objects.filter(local_field="custom.probability").exists()
    run_now(acme, connection, first=True)
    ctx = rpc_context(rpc)
    with schema_context(acme.company.schema_name):
        deal = Opportunity.objects.get(
            pk=ExternalLink.objects.get(external_id=str(opp_ids[0]), kind="opportunity").local_id
        )
        assert deal.custom["probability"] == 0.25
        opportunity_update(
            actor=acme.member, company=acme.company, opportunity=deal,
            data={"custom": {"probability": 0.8}, "custom_partial": True}, expected_version=deal.version,
        )  # fmt: skip
    assert run_now(acme, connection).pushed == 1
    (row,) = rpc("model.sale.opportunity.read", [opp_ids[0]], ["conversion_probability"], ctx)
    assert row["conversion_probability"] == 0.8

    # deleted in Tryton (cancelled first: Tryton's rule) → archived here, never deleted
    rpc("model.sale.opportunity.cancel", [opp_ids[1]], ctx)
    rpc("model.sale.opportunity.delete", [opp_ids[1]], ctx)
    run = run_now(acme, connection)
    assert run.archived == 1
    with schema_context(acme.company.schema_name):
        gone = Opportunity.objects.get(
            pk=ExternalLink.objects.get(external_id=str(opp_ids[1]), kind="opportunity").local_id
        )
        assert gone.archived_at is not None


def _letters():  # debugging aid for failures: the dead letters' sentences
    from integrations.models import DeadLetter

    return list(DeadLetter.objects.values_list("remote_object", "error"))

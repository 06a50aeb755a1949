"""The record services keep their promises: every kind's create, update, archive and publish
is one transaction with its audit entry; a shared record's network copy follows derived
fields; a broken formula or rule stops a save with a sentence instead of being skipped."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from business.models import FieldDefinition, ValidationRule
from business.rules import rule_create
from marketing.models import PlanTask
from marketing.services import plan_archive, plan_create, plan_publish, plan_update, task_toggle
from pipeline.models import Opportunity
from pipeline.services import (
    opportunity_archive,
    opportunity_create,
    opportunity_publish,
    opportunity_update,
)
from sharing.models import SharedRecord
from sharing.records.access import shared_record_get_for_actor
from sharing.records.services.sharing import sharing_entry_set
from solutions.services import (
    solution_archive,
    solution_create,
    solution_publish,
    solution_update,
)
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import membership, shared_opportunity_make

DEAL = {
    "name": "Initech — platform",
    "customer_name": "Initech",
    "amount": Decimal("1000"),
    "currency": "USD",
    "close_date": datetime.date(2027, 6, 30),
    "stage": "qualify",
    "motion": "sell_with",
}


def _actions(world) -> list[str]:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


@pytest.mark.django_db
def test_every_kinds_writes_are_audited_in_the_owners_log_only(acme, globex):
    with schema_context(acme.company.schema_name):
        deal = opportunity_create(actor=acme.owner, company=acme.company, data=DEAL)
        opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=deal,
            data={"stage": "propose"},
            expected_version=deal.version,
        )
        opportunity_publish(actor=acme.owner, company=acme.company, opportunity=deal)
        opportunity_archive(actor=acme.owner, company=acme.company, opportunity=deal)
        solution = solution_create(
            actor=acme.owner, company=acme.company, data={"name": "Edge kit", "summary": "x"}
        )
        solution_update(
            actor=acme.owner,
            company=acme.company,
            solution=solution,
            data={"summary": "y"},
            expected_version=solution.version,
        )
        solution_publish(actor=acme.owner, company=acme.company, solution=solution)
        solution_archive(actor=acme.owner, company=acme.company, solution=solution)
        plan = plan_create(
            actor=acme.owner,
            company=acme.company,
            data={
                "name": "H2",
                "budget": Decimal("10"),
                "currency": "USD",
                "period_start": datetime.date(2027, 7, 1),
                "period_end": datetime.date(2027, 12, 31),
            },
        )
        plan_update(
            actor=acme.owner,
            company=acme.company,
            plan=plan,
            data={"objective": "More"},
            expected_version=plan.version,
        )
        plan_publish(actor=acme.owner, company=acme.company, plan=plan)
        plan_archive(actor=acme.owner, company=acme.company, plan=plan)
        update = AuditEntry.objects.get(action="opportunity.updated")
    assert update.before == {"stage": "qualify"} and update.after == {"stage": "propose"}
    assert update.target_id == str(deal.pk)
    kinds = ("opportunity", "solution", "marketing_plan")
    expected = [f"{k}.{v}" for k in kinds for v in ("created", "updated", "published", "archived")]
    assert [a for a in _actions(acme) if a.split(".")[0] in kinds] == expected
    assert not [a for a in _actions(globex) if a.split(".")[0] in kinds]


@pytest.mark.django_db
def test_a_refused_create_leaves_neither_record_nor_audit_entry(acme, globex):
    with schema_context(acme.company.schema_name):
        with pytest.raises(ValidationError):
            opportunity_create(
                actor=acme.owner, company=acme.company, data={**DEAL, "currency": "dollars"}
            )
        assert not Opportunity.objects.exists()
    assert "opportunity.created" not in _actions(acme)


@pytest.mark.django_db
def test_an_unknown_audit_action_is_refused(acme, globex):
    from audit.services import company_audit_entry_record

    with schema_context(acme.company.schema_name), pytest.raises(ValueError):
        company_audit_entry_record(actor=acme.owner, action="opportunity.teleported")


@pytest.mark.django_db
def test_toggling_a_task_flips_what_the_database_holds(acme, globex):
    with schema_context(acme.company.schema_name):
        plan = plan_create(
            actor=acme.owner,
            company=acme.company,
            data={
                "name": "H2",
                "period_start": datetime.date(2027, 7, 1),
                "period_end": datetime.date(2027, 12, 31),
            },
        )
        task = PlanTask.objects.create(plan=plan, title="Book the venue")
        stale = PlanTask.objects.get(pk=task.pk)  # read before a colleague's toggle
        assert task_toggle(actor=acme.owner, task=task).done is True
        # the second person's press, from a page that still showed "not done", flips it back
        # instead of writing "done" again over the first press
        assert task_toggle(actor=acme.member, task=stale).done is False
        assert PlanTask.objects.get(pk=task.pk).done is False


def _shared_with_globex(acme, globex, **deal):  # type: ignore[no-untyped-def]
    opportunity, record = shared_opportunity_make(acme, **deal)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    return opportunity, record


def _partner_reads(globex, record):  # type: ignore[no-untyped-def]
    seen = shared_record_get_for_actor(user=globex.member, company=globex.company, pk=record.pk)
    values = {row["key"]: row["value"] for row in seen.payload.get("custom", [])}
    return values.get("weighted")


@pytest.mark.django_db
def test_a_partner_reads_a_derived_field_recomputed_after_a_formula_change(
    partnered, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    with django_capture_on_commit_callbacks(execute=True):
        field = field_make(
            acme, key="weighted", field_type="number", formula="amount", shareable=True
        )
    _, record = _shared_with_globex(acme, globex, amount=Decimal("1000"))
    assert _partner_reads(globex, record) == 1000
    admin = client_on(acme.host, acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/settings/fields/{field.pk}/",
            {
                "label": "Weighted",
                "field_type": "number",
                "position": 0,
                "formula": "amount / 4",
                "shareable": "on",
                "version": field.version,
            },
        )
    assert response.status_code == 302
    assert _partner_reads(globex, record) == 250


@pytest.mark.django_db
def test_a_partner_reads_a_derived_field_that_moved_with_its_own_edit(partnered):
    acme, globex = partnered
    field_make(
        acme,
        key="weighted",
        field_type="number",
        formula='amount * CASE(stage, "qualify", 0.2, "won", 1, 0)',
        shareable=True,
    )
    _, record = _shared_with_globex(acme, globex, amount=Decimal("1000"), stage="qualify")
    assert _partner_reads(globex, record) == 200
    record.refresh_from_db()
    partner = client_on(globex.host, globex.member)
    response = partner.post(
        f"/shared/{record.pk}/collaborate/", {"stage": "won", "version": record.version}
    )
    assert response.status_code == 302
    assert _partner_reads(globex, record) == 1000
    # the version the partner now holds is the record's: a second edit goes through
    current = SharedRecord.objects.get(pk=record.pk)
    response = partner.post(
        f"/shared/{record.pk}/collaborate/", {"next_step": "Sign", "version": current.version}
    )
    assert response.status_code == 302
    assert SharedRecord.objects.get(pk=record.pk).payload["next_step"] == "Sign"


def _break(world, model, **lookup):  # type: ignore[no-untyped-def]
    """A definition broken outside the settings pages (restored from an old backup, edited by
    hand): the field its formula reads is gone."""
    with schema_context(world.company.schema_name):
        FieldDefinition.objects.filter(**lookup).update(retired_at=timezone.now())


@pytest.mark.django_db
def test_a_derived_field_that_no_longer_computes_stops_the_save_with_a_sentence(acme, globex):
    field_make(acme, key="seats", field_type="number")
    field_make(acme, key="per_seat", field_type="number", formula="amount / seats")
    _break(acme, FieldDefinition, key="seats")
    with schema_context(acme.company.schema_name):
        with pytest.raises(ValidationError) as raised:
            opportunity_create(actor=acme.owner, company=acme.company, data=DEAL)
        assert not Opportunity.objects.exists()
    message = " ".join(raised.value.messages)
    assert "“Per seat”" in message and "can't be computed" in message
    assert "Settings → Fields" in message


@pytest.mark.django_db
def test_a_rule_that_no_longer_parses_stops_the_save_with_a_sentence(acme, globex):
    field_make(acme, key="seats", field_type="number")
    with schema_context(acme.company.schema_name):
        rule_create(
            actor=acme.owner,
            data={
                "object_type": "opportunity",
                "name": "Seats",
                "condition": "seats > 500",
                "message": "Over 500 seats needs a deal desk review",
            },
        )
        assert ValidationRule.objects.count() == 1
    _break(acme, FieldDefinition, key="seats")
    response = client_on(acme.host, acme.member).post(
        "/pipeline/new/",
        {**{k: str(v) for k, v in DEAL.items()}, "owner": acme.member.pk},
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "“Over 500 seats needs a deal desk review” can't be checked" in page
    with schema_context(acme.company.schema_name):
        assert not Opportunity.objects.exists()


@pytest.mark.django_db
def test_a_partners_edit_over_a_broken_formula_is_refused_without_naming_it(partnered):
    acme, globex = partnered
    field_make(acme, key="seats", field_type="number")
    field_make(acme, key="per_seat", field_type="number", formula="amount / seats")
    _, record = _shared_with_globex(acme, globex, stage="qualify")
    _break(acme, FieldDefinition, key="seats")
    record.refresh_from_db()
    response = client_on(globex.host, globex.member).post(
        f"/shared/{record.pk}/collaborate/",
        {"stage": "won", "version": record.version},
        follow=True,
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert "can't take this change right now" in page
    assert "Per seat" not in page and "per_seat" not in page
    assert SharedRecord.objects.get(pk=record.pk).stage == "qualify"

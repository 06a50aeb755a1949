"""Writes to a company's own opportunities. Shared ones are re-published in the same
transaction, through the sharing app's publish step (the only door out of the schema)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from audit.actions import AuditAction
from business.records import collect_errors, core_values, custom_changes, custom_for_save
from concurrency.versioning import versioned_update
from identity.models import User
from pipeline.models import Opportunity
from recordkit.services import (
    RecordWrites,
    record_archive,
    record_created,
    record_publish_for,
    record_updated,
)
from sharing.models import SharedRecord
from tenants.models import Company, Membership

EDITABLE = (
    "customer_name",
    "customer_domain",
    "amount",
    "currency",
    "close_date",
    "stage",
    "motion",
    "next_step",
    "private_notes",
    "custom",
)


def opportunity_fields(opportunity: Opportunity) -> dict[str, Any]:
    return model_to_dict(opportunity, fields=EDITABLE)


def _validate(opportunity: Opportunity, company: Company, *, owner_changed: bool = True) -> None:
    opportunity.full_clean(exclude=["owner"])
    # (an edit that keeps the owner doesn't re-check it: people who left keep their records)
    if (
        owner_changed
        and not Membership.objects.filter(user_id=opportunity.owner_id, company=company).exists()
    ):
        raise ValidationError({"owner": ["The owner must be a member of your company."]})


WRITES = RecordWrites(
    kind=Opportunity.kind_key,
    fields_of=opportunity_fields,
    title_of=lambda o: o.customer_name,
    created=AuditAction.OPPORTUNITY_CREATED,
    updated=AuditAction.OPPORTUNITY_UPDATED,
    archived=AuditAction.OPPORTUNITY_ARCHIVED,
    published=AuditAction.OPPORTUNITY_PUBLISHED,
)


def opportunity_create(*, actor: User, company: Company, data: dict[str, Any]) -> Opportunity:
    fields = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    opportunity = Opportunity(owner_id=data.get("owner_id") or actor.pk, **fields)
    _, opportunity.custom = collect_errors(
        lambda: _validate(opportunity, company),
        lambda: custom_for_save(
            object_type=Opportunity.kind_key,
            company=company,
            submitted=data.get("custom"),
            core=core_values(opportunity),
        ),
    )
    return record_created(WRITES, actor=actor, company=company, obj=opportunity)


def opportunity_update(
    *,
    actor: User,
    company: Company,
    opportunity: Opportunity,
    data: dict[str, Any],
    expected_version: int,
) -> Opportunity:
    """Saves the edit if nobody saved since `expected_version`; else raises EditConflict."""
    changes = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    if "owner_id" in data:
        changes["owner_id"] = data["owner_id"]
    changes |= custom_changes(
        object_type=Opportunity.kind_key,
        company=company,
        data=data,
        previous=opportunity.custom,
        core={**core_values(opportunity), **changes},
    )
    before = opportunity_fields(opportunity)
    with transaction.atomic():
        versioned_update(
            obj=opportunity,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: _validate(
                candidate, company, owner_changed=candidate.owner_id != opportunity.owner_id
            ),
            snapshot=opportunity_fields,
        )
        record_updated(WRITES, actor=actor, company=company, obj=opportunity, before=before)
    return opportunity


def opportunity_archive(*, actor: User, company: Company, opportunity: Opportunity) -> Opportunity:
    return record_archive(WRITES, actor=actor, company=company, obj=opportunity)


def opportunity_publish(*, actor: User, company: Company, opportunity: Opportunity) -> SharedRecord:
    """Makes the opportunity shareable: its network copy exists (still with no partner on the
    list until one is added)."""
    return record_publish_for(WRITES, actor=actor, company=company, obj=opportunity)

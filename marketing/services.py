"""Writes to a company's marketing plans; shared plans are re-published (with their campaigns)
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.forms.models import model_to_dict

from audit.actions import AuditAction
from business.records import collect_errors, core_values, custom_changes, custom_for_save
from concurrency.versioning import versioned_update
from identity.models import User
from marketing.models import Campaign, MarketingPlan, PlanTask
from recordkit.services import (
    RecordWrites,
    record_archive,
    record_created,
    record_publish_for,
    record_updated,
)
from sharing.models import SharedRecord
from tenants.models import Company, Membership

EDITABLE = ("name", "objective", "period_start", "period_end", "budget", "currency")


def plan_fields(plan: MarketingPlan) -> dict[str, Any]:
    fields = model_to_dict(plan, fields=EDITABLE)
    fields["custom"] = plan.custom
    fields["campaigns"] = [
        {
            "name": c.name,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "target_leads": c.target_leads,
            "target_pipeline": c.target_pipeline,
        }
        for c in plan.campaigns.all()
    ]
    return fields


WRITES = RecordWrites(
    kind=MarketingPlan.kind_key,
    fields_of=plan_fields,
    title_of=lambda plan: plan.name,
    created=AuditAction.MARKETING_PLAN_CREATED,
    updated=AuditAction.MARKETING_PLAN_UPDATED,
    archived=AuditAction.MARKETING_PLAN_ARCHIVED,
    published=AuditAction.MARKETING_PLAN_PUBLISHED,
)


def plan_create(*, actor: User, company: Company, data: dict[str, Any]) -> MarketingPlan:
    plan = MarketingPlan(owner_id=actor.pk, **{k: v for k, v in data.items() if k in EDITABLE})
    _, plan.custom = collect_errors(
        lambda: plan.full_clean(exclude=["owner", "custom"]),
        lambda: custom_for_save(
            object_type=MarketingPlan.kind_key,
            company=company,
            submitted=data.get("custom"),
            core=core_values(plan),
        ),
    )
    return record_created(WRITES, actor=actor, company=company, obj=plan)


def plan_update(
    *,
    actor: User,
    company: Company,
    plan: MarketingPlan,
    data: dict[str, Any],
    expected_version: int,
) -> MarketingPlan:
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    changes |= custom_changes(
        object_type=MarketingPlan.kind_key,
        company=company,
        data=data,
        previous=plan.custom,
        core={**core_values(plan), **changes},
    )
    before = plan_fields(plan)
    with transaction.atomic():
        versioned_update(
            obj=plan,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: candidate.full_clean(exclude=["owner"]),
            snapshot=lambda p: model_to_dict(p, fields=list(EDITABLE)),
        )
        record_updated(WRITES, actor=actor, company=company, obj=plan, before=before)
    return plan


def campaign_add(
    *, actor: User, company: Company, plan: MarketingPlan, data: dict[str, Any]
) -> Campaign:
    campaign = Campaign(
        plan=plan,
        **{
            k: data[k]
            for k in ("name", "starts_on", "ends_on", "target_leads", "target_pipeline")
            if k in data
        },
    )
    campaign.full_clean()
    with transaction.atomic():
        before = plan_fields(plan)
        campaign.save()
        record_updated(WRITES, actor=actor, company=company, obj=plan, before=before)
    return campaign


def task_add(
    *, actor: User, company: Company, plan: MarketingPlan, data: dict[str, Any]
) -> PlanTask:
    owner_id = data.get("owner_id")
    if owner_id and not Membership.objects.filter(user_id=owner_id, company=company).exists():
        raise ValidationError({"owner_id": [f"Tasks go to people at {company.name}."]})
    task = PlanTask(
        plan=plan, title=data.get("title", ""), owner_id=owner_id or None, due_on=data.get("due_on")
    )
    task.full_clean(exclude=["owner"])
    task.save()
    return task


def task_toggle(*, actor: User, task: PlanTask) -> PlanTask:
    """Flips the task in one UPDATE (NOT done in SQL), so two people pressing at once flip it
    twice rather than both writing the value they read."""
    PlanTask.objects.filter(pk=task.pk).update(
        done=Case(When(done=True, then=Value(False)), default=Value(True))
    )
    task.refresh_from_db(fields=["done"])
    return task


def plan_archive(*, actor: User, company: Company, plan: MarketingPlan) -> MarketingPlan:
    return record_archive(WRITES, actor=actor, company=company, obj=plan)


def plan_publish(*, actor: User | None, company: Company, plan: MarketingPlan) -> SharedRecord:
    """Publishes the plan's shareable fields and its campaigns (tasks stay private)."""
    return record_publish_for(WRITES, actor=actor, company=company, obj=plan)

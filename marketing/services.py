"""Writes to a company's marketing plans; shared plans are re-published (with their campaigns)
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from business.records import collect_errors, core_values, custom_changes, custom_for_save
from concurrency.versioning import versioned_update
from identity.models import User
from marketing.models import Campaign, MarketingPlan, PlanTask
from sharing.models import SharedRecord
from sharing.records.services.publish import record_archive_published, record_publish
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


def _republish(company: Company, plan: MarketingPlan) -> None:
    if plan.shared_record_id:
        plan_publish(actor=None, company=company, plan=plan)


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
    plan.save()
    return plan


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
    with transaction.atomic():
        versioned_update(
            obj=plan,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: candidate.full_clean(exclude=["owner"]),
            snapshot=lambda p: model_to_dict(p, fields=list(EDITABLE)),
        )
        _republish(company, plan)
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
        campaign.save()
        _republish(company, plan)
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
    PlanTask.objects.filter(pk=task.pk).update(done=not task.done)
    task.refresh_from_db()
    return task


def plan_archive(*, actor: User, company: Company, plan: MarketingPlan) -> MarketingPlan:
    with transaction.atomic():
        plan.archived_at = timezone.now()
        plan.save(update_fields=["archived_at", "updated_at"])
        record_archive_published(
            shared_record_id=plan.shared_record_id, archived_at=plan.archived_at
        )
    return plan


def plan_publish(*, actor: User | None, company: Company, plan: MarketingPlan) -> SharedRecord:
    """Publishes the plan's shareable fields and its campaigns (tasks stay private)."""
    with transaction.atomic():
        record = record_publish(
            company=company,
            kind=MarketingPlan.kind_key,
            source_id=plan.pk,
            title=plan.name,
            fields=plan_fields(plan),
        )
        if plan.shared_record_id != record.pk:
            plan.shared_record_id = record.pk
            plan.save(update_fields=["shared_record_id"])
    return record

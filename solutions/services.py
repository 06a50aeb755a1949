"""Writes to a company's solutions; shared ones are re-published in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from audit.actions import AuditAction
from business.records import collect_errors, core_values, custom_changes, custom_for_save
from concurrency.versioning import versioned_update
from identity.models import User
from recordkit.services import (
    RecordWrites,
    record_archive,
    record_created,
    record_publish_for,
    record_updated,
)
from sharing.models import SharedRecord
from sharing.records.services.publish import listing_publish, listing_withdraw
from solutions.models import Solution
from tenants.models import Company

EDITABLE = ("name", "summary", "categories", "industries", "regions", "status", "is_public")


def solution_fields(solution: Solution) -> dict[str, Any]:
    return {**model_to_dict(solution, fields=EDITABLE), "custom": solution.custom}


def _listing_sync(company: Company, solution: Solution) -> None:
    """Listed on the public profile while public, available and not archived."""
    if solution.is_public and solution.status == "available" and solution.archived_at is None:
        listing_publish(
            company=company,
            source_id=solution.pk,
            name=solution.name,
            fields=solution_fields(solution),
        )
    else:
        listing_withdraw(company=company, source_id=solution.pk)


WRITES = RecordWrites(
    kind=Solution.kind_key,
    fields_of=solution_fields,
    title_of=lambda solution: solution.name,
    created=AuditAction.SOLUTION_CREATED,
    updated=AuditAction.SOLUTION_UPDATED,
    archived=AuditAction.SOLUTION_ARCHIVED,
    published=AuditAction.SOLUTION_PUBLISHED,
    after_write=_listing_sync,
)


def solution_create(*, actor: User, company: Company, data: dict[str, Any]) -> Solution:
    solution = Solution(owner_id=actor.pk, **{k: v for k, v in data.items() if k in EDITABLE})
    _, solution.custom = collect_errors(
        lambda: solution.full_clean(exclude=["owner", "custom"]),
        lambda: custom_for_save(
            object_type=Solution.kind_key,
            company=company,
            submitted=data.get("custom"),
            core=core_values(solution),
        ),
    )
    return record_created(WRITES, actor=actor, company=company, obj=solution)


def solution_update(
    *,
    actor: User,
    company: Company,
    solution: Solution,
    data: dict[str, Any],
    expected_version: int,
) -> Solution:
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    changes |= custom_changes(
        object_type=Solution.kind_key,
        company=company,
        data=data,
        previous=solution.custom,
        core={**core_values(solution), **changes},
    )
    before = solution_fields(solution)
    with transaction.atomic():
        versioned_update(
            obj=solution,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: candidate.full_clean(exclude=["owner"]),
            snapshot=solution_fields,
        )
        record_updated(WRITES, actor=actor, company=company, obj=solution, before=before)
    return solution


def solution_archive(*, actor: User, company: Company, solution: Solution) -> Solution:
    return record_archive(WRITES, actor=actor, company=company, obj=solution)


def solution_publish(*, actor: User, company: Company, solution: Solution) -> SharedRecord:
    return record_publish_for(WRITES, actor=actor, company=company, obj=solution)

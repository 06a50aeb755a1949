"""Writes to the company's record of a partner. The partner type drives the sharing and
approval policies, so changing it is for admins, audited, and re-applies the field policy to
every record shared with that partner in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.models import Term
from business.records import collect_errors, custom_for_save
from concurrency.versioning import StaleVersion
from identity.models import User
from partners.relationships.models import PartnerRelationship
from sharing.records.services.withholding import withholding_refresh
from tenants.models import Company, Membership

EDITABLE = ("partner_type", "manager_id", "notes", "custom")
MAX_NOTES = 10_000


def relationship_fields(relationship: PartnerRelationship) -> dict[str, Any]:
    return {
        "partner_type": relationship.partner_type,
        "manager_id": relationship.manager_id,
        "notes": relationship.notes,
        "custom": relationship.custom,
    }


def _check(company: Company, changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if changes.get("partner_type"):
        known = Term.objects.filter(
            vocabulary__key="partner_types", key=changes["partner_type"], retired_at__isnull=True
        ).exists()
        if not known:
            errors["partner_type"] = [
                "Choose one of your partner types (Settings → Vocabularies → Partner types)."
            ]
    if (
        changes.get("manager_id")
        and not Membership.objects.filter(company=company, user_id=changes["manager_id"]).exists()
    ):
        errors["manager_id"] = [f"The partner manager must be someone at {company.name}."]
    if len(changes.get("notes") or "") > MAX_NOTES:
        errors["notes"] = [f"Keep the notes under {MAX_NOTES:,} characters."]
    if errors:
        raise ValidationError(errors)


def relationship_update(
    *,
    actor: User,
    actor_membership: Membership,
    partner: Company,
    data: dict[str, Any],
    expected_version: int | None,
) -> PartnerRelationship:
    """Saves our record of `partner` (creating it on first save) if nobody saved since
    `expected_version`. Only admins change the partner type."""
    company = actor_membership.company
    relationship = PartnerRelationship.objects.filter(partner_id=partner.pk).first()
    current = relationship or PartnerRelationship(partner_id=partner.pk)
    changes = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    if "partner_type" in changes:
        changes["partner_type"] = changes["partner_type"] or ""
        if changes["partner_type"] != current.partner_type and not actor_membership.is_admin:
            raise PermissionDenied(
                "Only admins change a partner's type: it decides what your sharing policy lets "
                "them see."
            )
    if "manager_id" in changes:
        changes["manager_id"] = changes["manager_id"] or None

    def custom() -> dict[str, Any] | None:
        if "custom" not in data:
            return None
        return custom_for_save(
            object_type=PartnerRelationship.kind_key,
            company=company,
            submitted=data["custom"],
            previous=current.custom,
            partial=bool(data.get("custom_partial")),
            core={"partner_type": changes.get("partner_type", current.partner_type)},
        )

    _, new_custom = collect_errors(lambda: _check(company, changes), custom)
    if new_custom is not None:
        changes["custom"] = new_custom
    before = relationship_fields(current)
    with transaction.atomic():
        if relationship is None:
            if expected_version not in (None, 0, 1):
                raise StaleVersion(theirs={}, yours=changes, current_version=1)
            current = PartnerRelationship.objects.create(
                partner_id=partner.pk, **{**relationship_fields(current), **changes}
            )
        else:
            expected = relationship.version if expected_version is None else expected_version
            updated = PartnerRelationship.objects.filter(
                pk=relationship.pk, version=expected
            ).update(**changes, version=F("version") + 1, updated_at=timezone.now())
            if not updated:
                fresh = PartnerRelationship.objects.get(pk=relationship.pk)
                theirs = relationship_fields(fresh)
                raise StaleVersion(
                    theirs={k: theirs.get(k) for k in changes},
                    yours=changes,
                    current_version=fresh.version,
                )
            current = PartnerRelationship.objects.get(pk=relationship.pk)
        after = relationship_fields(current)
        changed = [k for k in after if after[k] != before[k]]
        if changed:
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.RELATIONSHIPS_UPDATED,
                target=current,
                before={"partner": partner.name, **{k: before[k] for k in changed}},
                after={"partner": partner.name, **{k: after[k] for k in changed}},
            )
        if "partner_type" in changed:
            withholding_refresh(owner=company, partner_ids=[partner.pk])
    return current

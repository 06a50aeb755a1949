"""What participants do on a shared record: answer and fill in their own section, edit the
collaborative fields, adopt the deal into their own pipeline. Every write re-checks the
participant's role through sharing.records.access and uses a version check (invariant 7)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from canonical import Stage
from concurrency.versioning import StaleVersion
from identity.models import User
from sharing.models import DealRole, Participation, ParticipationStatus, SharedRecord
from sharing.records.access import OWNER, can_edit, role_on_record, shared_records_visible_to
from sharing.records.cross_schema import record_owner_schema_unscoped
from sharing.records.kinds import kind_handlers
from sharing.records.policy import shareable_fields
from sharing.records.services.activity import activity_record
from sharing.records.services.notifications import notify_stage_change
from tenants.models import Company, Membership

COLLABORATIVE_FIELDS = ("stage", "close_date", "next_step")


def _visible_record(*, actor: User, membership: Membership, record: SharedRecord) -> str:
    if (
        not shared_records_visible_to(user=actor, company=membership.company)
        .filter(pk=record.pk)
        .exists()
    ):
        raise Http404("No such record.")
    role = role_on_record(user=actor, company=membership.company, record=record)
    if role is None:
        raise Http404("No such record.")
    return role


def participation_update(
    *,
    actor: User,
    actor_membership: Membership,
    record: SharedRecord,
    data: dict[str, Any],
    expected_version: int,
) -> Participation:
    """A company fills in its own section. Viewers may only answer (accept/decline)."""
    company = actor_membership.company
    role = _visible_record(actor=actor, membership=actor_membership, record=record)
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if "status" in data:
        if data["status"] not in ParticipationStatus.values:
            errors["status"] = "Choose accepted or declined."
        changes["status"] = data["status"]
    section_fields = {k: data[k] for k in ("deal_role", "contact_id", "next_step") if k in data}
    if section_fields and not can_edit(role):
        raise PermissionDenied(
            "Viewers can answer but not edit their section. Ask the owner for the contributor role."
        )
    if "deal_role" in section_fields:
        if section_fields["deal_role"] not in ("", *DealRole.values):
            errors["deal_role"] = "Choose sourced, influenced or fulfilling."
        current = (
            Participation.objects.filter(record=record, company=company)
            .values_list("deal_role", "deal_role_set_by_owner")
            .first()
        )
        if current and current[1] and current[0] != section_fields["deal_role"]:
            raise PermissionDenied(
                f"{record.owner.name} set your part in this deal. Ask them to change it."
            )
        changes["deal_role"] = section_fields["deal_role"]
    if "contact_id" in section_fields:
        contact = section_fields["contact_id"]
        if contact and not Membership.objects.filter(user_id=contact, company=company).exists():
            errors["contact_id"] = f"The contact must be someone at {company.name}."
        changes["contact_id"] = contact or None
    if "next_step" in section_fields:
        if len(section_fields["next_step"]) > 500:
            errors["next_step"] = "Keep the next step under 500 characters."
        changes["next_step"] = section_fields["next_step"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(
            record=record, company=company
        )
        if participation.version != expected_version:
            raise StaleVersion(
                theirs={k: getattr(participation, k) for k in changes},
                yours=changes,
                current_version=participation.version,
            )
        before_status = participation.status
        for key, value in changes.items():
            setattr(participation, key, value)
        participation.version += 1
        participation.updated_by = actor
        participation.save()
        if "status" in changes and changes["status"] != before_status:
            activity_record(
                record=record,
                company=company,
                actor=actor,
                verb=f"participation.{changes['status']}",
            )
        else:
            activity_record(
                record=record, company=company, actor=actor, verb="participation.updated"
            )
    return participation


def _clean_collaborative(data: dict[str, Any]) -> dict[str, Any]:
    clean, errors = {}, {}
    if "stage" in data:
        if data["stage"] not in Stage.values:
            errors["stage"] = "Choose a stage from the list."
        clean["stage"] = data["stage"]
    if "close_date" in data:
        value = data["close_date"]
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                errors["close_date"] = "Enter the close date as YYYY-MM-DD."
        clean["close_date"] = value.isoformat() if isinstance(value, datetime.date) else value
    if "next_step" in data:
        if len(str(data["next_step"])) > 500:
            errors["next_step"] = "Keep the next step under 500 characters."
        clean["next_step"] = str(data["next_step"])
    if errors:
        raise ValidationError(errors)
    return clean


def _owner_record_sync_unscoped(
    record: SharedRecord, changes: dict[str, Any], *, actor: User, actor_company: Company
) -> None:
    """Writes a participant's collaborative edit back into the owner's own record, in the
    owner's schema. Crosses companies on purpose; only this service calls it."""
    handlers = kind_handlers(record.kind)
    if handlers is None:
        return
    with record_owner_schema_unscoped(record, actor=actor, actor_company=actor_company):
        handlers.sync_back(record, changes)


def shared_record_collaborate(
    *,
    actor: User,
    actor_membership: Membership,
    record: SharedRecord,
    data: dict[str, Any],
    expected_version: int,
) -> SharedRecord:
    """A contributor, manager or the owner edits the collaborative fields (stage, close date,
    next step). The owner's own record follows in the same transaction."""
    role = _visible_record(actor=actor, membership=actor_membership, record=record)
    if not can_edit(role):
        raise PermissionDenied(
            "Viewers cannot edit the shared fields. Ask the owner for the contributor role."
        )
    handlers = kind_handlers(record.kind)
    allowed = handlers.collaborative_fields if handlers else ()
    if not allowed:
        raise ValidationError(
            f"A shared {record.kind_label.lower()} has no fields partners edit together."
        )
    changes = _clean_collaborative(
        {k: v for k, v in data.items() if k in allowed and k in COLLABORATIVE_FIELDS}
    )
    if role != OWNER:
        private = set(changes) - set(shareable_fields(company=record.owner, kind=record.kind))
        if private:
            raise PermissionDenied(
                f"{record.owner.name} keeps {', '.join(sorted(private))} private, "
                "so partners can't change it."
            )
        withheld = set(
            Participation.objects.filter(record=record, company=actor_membership.company)
            .values_list("withheld", flat=True)
            .first()
            or ()
        )
        refused = sorted(withheld & set(changes))
        if refused:
            raise PermissionDenied(
                f"{record.owner.name} doesn't share {', '.join(f.replace('_', ' ') for f in refused)} "
                "with your company, so you can't change it."
            )
    with transaction.atomic():
        current = SharedRecord.objects.select_for_update().select_related("owner").get(pk=record.pk)
        if current.version != expected_version:
            raise StaleVersion(
                theirs={k: current.payload.get(k) for k in changes},
                yours=changes,
                current_version=current.version,
            )
        before = {k: current.payload.get(k) for k in changes}
        current.payload = {**current.payload, **changes}
        current.stage = current.payload.get("stage", "")
        current.version += 1
        current.save(update_fields=["payload", "stage", "version", "updated_at"])
        _owner_record_sync_unscoped(
            current, changes, actor=actor, actor_company=actor_membership.company
        )
        # the owner's record may have re-published derived fields that moved with the edit
        current.refresh_from_db(fields=["payload", "stage", "version", "updated_at"])
        activity_record(
            record=current,
            company=actor_membership.company,
            actor=actor,
            verb="record.stage_changed"
            if before.get("stage") != changes.get("stage", before.get("stage"))
            else "record.updated",
            data={"before": before, "after": changes},
        )
        if "stage" in changes and before.get("stage") != changes["stage"]:
            notify_stage_change(
                record=current,
                actor=actor,
                before=before.get("stage") or "",
                after=changes["stage"],
            )
    return current


def shared_record_adopt(*, actor: User, actor_membership: Membership, record: SharedRecord):  # type: ignore[no-untyped-def]
    """A partner takes a shared record into its own workspace: a private copy in its schema
    (the current one), linked to the shared record. The copy is made from the record as the
    access function hands it to this company (withheld fields stripped), whatever object the
    caller passed in."""
    role = _visible_record(actor=actor, membership=actor_membership, record=record)
    record = shared_records_visible_to(user=actor, company=actor_membership.company).get(
        pk=record.pk
    )
    if role == OWNER:
        raise ValidationError("This is your own record; it is already in your workspace.")
    handlers = kind_handlers(record.kind)
    if handlers is None or handlers.adopt is None:
        raise ValidationError(f"A {record.kind_label.lower()} cannot be adopted.")
    with transaction.atomic():
        copy = handlers.adopt(record, actor, company=actor_membership.company)
        activity_record(
            record=record, company=actor_membership.company, actor=actor, verb="record.adopted"
        )
    return copy

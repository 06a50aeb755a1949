"""Writes to sharing lists. A list entry is a set of guardian permission rows (the role picks
the set) given to a partner company's members group, or to named people of that partner."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_event_record
from business.policy import sharing_policy
from identity.models import User
from sharing.hooks import RecordEvent, record_event, share_gates_check
from sharing.models import (
    ROLE_PERMISSIONS,
    DealRole,
    Participation,
    SharedRecord,
    SharedRecordGroupPermission,
    SharedRecordUserPermission,
    SharingRole,
    role_from_codenames,
)
from sharing.network.selectors import active_partner_ids
from sharing.records.access import OWNER, can_share, role_on_record
from sharing.records.services.activity import activity_record
from sharing.records.services.entries import entry_record_fields
from sharing.records.services.notifications import notify
from sharing.records.services.withholding import withholding_refresh
from tenants.models import Company, Membership, Role
from tenants.schemas import company_schema


def _permissions_for(role: str) -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="sharing", codename__in=ROLE_PERMISSIONS[role]
        )
    )


def _entry_rows(record: SharedRecord, company: Company) -> tuple:
    return (
        SharedRecordGroupPermission.objects.filter(content_object=record, company=company),
        SharedRecordUserPermission.objects.filter(content_object=record, company=company),
    )


def _entry_describe(record: SharedRecord, company: Company) -> dict | None:
    groups, users = _entry_rows(record, company)
    codenames = set(groups.values_list("permission__codename", flat=True)) | set(
        users.values_list("permission__codename", flat=True)
    )
    if not codenames:
        return None

    return {
        "company": company.name,
        "role": role_from_codenames(codenames),
        "users": sorted(set(users.values_list("user__email", flat=True))),
    }


def _require_sharer(*, actor: User, actor_membership: Membership, record: SharedRecord) -> str:
    role = role_on_record(user=actor, company=actor_membership.company, record=record)
    if role is None:
        raise Http404("No such record.")
    if not can_share(role, record):
        raise PermissionDenied("Your role on this record does not let you change its sharing list.")

    company = actor_membership.company
    with company_schema(company):
        allowed = sharing_policy().sharer_roles
    if actor_membership.role not in allowed:
        raise PermissionDenied(
            f"In {company.name}, sharing is for "
            + ", ".join(f"{r}s" for r in allowed)
            + ". Ask an admin to share it."
        )
    return role


def sharing_entry_set(
    *,
    actor: User,
    actor_membership: Membership,
    record: SharedRecord,
    partner: Company,
    role: str,
    users: Iterable[User] = (),
    deal_role: str | None = None,
    approval_id=None,  # type: ignore[no-untyped-def]
) -> None:
    """Puts `partner` on the record's list with `role` (replacing its entry if it had one).
    With `users`, only those people of the partner see it; otherwise the whole company does.
    The owner may also set the partner's part in the deal (`deal_role`). When the owner's
    approval policy asks for it, raises approvals.policy.ApprovalRequired unless the share
    carries an approved request (`approval_id`)."""
    company = actor_membership.company
    _require_sharer(actor=actor, actor_membership=actor_membership, record=record)
    if role not in SharingRole.values:
        raise ValidationError("Choose a role: viewer, contributor or manager.")
    if deal_role not in (None, "", *DealRole.values):
        raise ValidationError(
            "Choose the partner's part in the deal: sourced, influenced or fulfilling."
        )
    if deal_role and company.pk != record.owner_id:
        raise PermissionDenied("Only the record's owner sets a partner's part in the deal.")
    if partner.pk == record.owner_id:
        raise ValidationError(f"{partner.name} owns this record; it is always on the list.")
    if partner.pk not in active_partner_ids(company=company):
        raise ValidationError(
            f"{partner.name} is not an active partner of {company.name}. Partner with them first."
        )
    users = list(users)
    member_ids = set(
        Membership.objects.filter(company=partner, user__is_service_account=False).values_list(
            "user_id", flat=True
        )
    )
    strangers = [u.email for u in users if u.pk not in member_ids]
    if strangers:
        raise ValidationError(f"Not members of {partner.name}: {', '.join(strangers)}.")
    if approval_id is None and _entry_describe(record, partner) is None:
        # (adding a partner is what the approval policy governs; changing the role of an
        # entry that is already there is not)
        share_gates_check(actor_membership=actor_membership, record=record, partner=partner)
    permissions = _permissions_for(role)
    with transaction.atomic():
        record = SharedRecord.objects.select_for_update().get(pk=record.pk)
        before = _entry_describe(record, partner)
        for rows in _entry_rows(record, partner):
            rows.delete()
        keys = entry_record_fields(record)
        if users:
            SharedRecordUserPermission.objects.bulk_create(
                SharedRecordUserPermission(
                    content_object=record,
                    user=u,
                    permission=p,
                    company=partner,
                    added_by=actor,
                    **keys,
                )
                for u in users
                for p in permissions
            )
        else:
            SharedRecordGroupPermission.objects.bulk_create(
                SharedRecordGroupPermission(
                    content_object=record,
                    group_id=partner.members_group_id,
                    permission=p,
                    company=partner,
                    added_by=actor,
                    **keys,
                )
                for p in permissions
            )
        participation, _ = Participation.objects.get_or_create(record=record, company=partner)
        if deal_role:
            participation.deal_role, participation.deal_role_set_by_owner = deal_role, True
            participation.save(update_fields=["deal_role", "deal_role_set_by_owner"])
        withholding_refresh(owner=record.owner, partner_ids=[partner.pk], record_ids=[record.pk])
        after = _entry_describe(record, partner)
        if deal_role:
            after["deal_role"] = deal_role
        activity_record(
            record=record,
            company=company,
            actor=actor,
            verb="sharing.shared" if before is None else "sharing.role_changed",
            data={"partner": partner.name, "role": role, "partner_id": partner.pk},
        )
        for log_company in {record.owner, partner, company}:
            # Which approval request let the share through is the owner's business: its
            # approval policy and requests are private to it (invariant 8).
            owners_copy = log_company.pk == record.owner_id and approval_id is not None
            audit_event_record(
                actor=actor,
                company=log_company,
                action=AuditAction.SHARING_ENTRY_SET,
                target=record,
                before=before,
                after={**after, "approval": str(approval_id)} if owners_copy else after,
            )
        notify_ids = [u.pk for u in users]
        transaction.on_commit(lambda: _notify_shared(record, partner, notify_ids))


def _notify_shared(record: SharedRecord, partner: Company, user_ids: list[int]) -> None:
    if user_ids:
        people = User.objects.filter(pk__in=user_ids)
    else:
        people = User.objects.filter(
            memberships__company=partner, memberships__role__in=[Role.OWNER, Role.ADMIN]
        )
    notify(
        recipients=[(person, partner) for person in people],
        record=record,
        verb="sharing.shared",
        message=f"{record.owner.name} shared “{record.title}” with {partner.name}",
        url=f"/shared/{record.pk}/",
    )


def sharing_entry_remove(
    *, actor: User, actor_membership: Membership, record: SharedRecord, partner: Company
) -> None:
    """Takes `partner` off the list; its people lose access on their next request."""
    _require_sharer(actor=actor, actor_membership=actor_membership, record=record)
    if partner.pk == record.owner_id:
        raise ValidationError("The owner cannot be removed from its own record.")
    with transaction.atomic():
        before = _entry_describe(record, partner)
        if before is None:
            raise ValidationError(f"{partner.name} is not on this record's list.")
        for rows in _entry_rows(record, partner):
            rows.delete()
        Participation.objects.filter(record=record, company=partner).delete()
        activity_record(
            record=record,
            company=actor_membership.company,
            actor=actor,
            verb="sharing.removed",
            data={"partner": partner.name, "partner_id": partner.pk},
        )
        for log_company in {record.owner, partner, actor_membership.company}:
            audit_event_record(
                actor=actor,
                company=log_company,
                action=AuditAction.SHARING_ENTRY_REMOVED,
                target=record,
                before=before,
            )


def sharing_entries_remove_between(*, actor: User, company_a: Company, company_b: Company) -> int:
    """Removes each company from the sharing lists of the other's records (a partnership
    ended). Returns how many entries went. Must run inside the caller's transaction."""
    scope = Q(content_object__owner=company_a, company=company_b) | Q(
        content_object__owner=company_b, company=company_a
    )
    entries = set(
        SharedRecordGroupPermission.objects.filter(scope).values_list(
            "content_object_id", "company_id"
        )
    )
    entries |= set(
        SharedRecordUserPermission.objects.filter(scope).values_list(
            "content_object_id", "company_id"
        )
    )
    SharedRecordGroupPermission.objects.filter(scope).delete()
    SharedRecordUserPermission.objects.filter(scope).delete()
    for record_id, company_id in entries:
        Participation.objects.filter(record_id=record_id, company_id=company_id).delete()
        # (no activity event: a partnership does not end in a record's feed; the companies'
        # webhooks still hear that the partner is off the list, told as the owner's)
        record_event(
            RecordEvent(
                record_id=record_id,
                company_id=company_a.pk if company_id == company_b.pk else company_b.pk,
                actor_id=None,
                verb="sharing.removed",
                data={"partner_id": company_id, "reason": "partnership_ended"},
            )
        )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            company_id=owner_company,
            action=AuditAction.SHARING_ENTRY_REMOVED,
            target_type="sharing.sharedrecord",
            target_id=str(record_id),
            before={"company_id": company_id, "reason": "partnership ended"},
        )
        for record_id, company_id in entries
        for owner_company in (
            company_a.pk if company_id == company_b.pk else company_b.pk,
            company_id,
        )
    )
    return len(entries)


def participation_deal_role_assign(
    *,
    actor: User,
    actor_membership: Membership,
    record: SharedRecord,
    partner: Company,
    deal_role: str,
) -> Participation:
    """The owner sets (or, with "", releases) a participant's part in the deal. A set part is
    what the owner's field policy reads; the participant can no longer change it itself."""
    if actor_membership.company.pk != record.owner_id:
        raise Http404("No such record.")
    _require_sharer(actor=actor, actor_membership=actor_membership, record=record)
    if deal_role not in ("", *DealRole.values):
        raise ValidationError("Choose sourced, influenced or fulfilling.")
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update().filter(record=record, company=partner).first()
        )
        if participation is None or partner.pk == record.owner_id:
            raise ValidationError(f"{partner.name} is not on this record's list.")
        before = {
            "deal_role": participation.deal_role,
            "set_by_owner": participation.deal_role_set_by_owner,
        }
        participation.deal_role = deal_role
        participation.deal_role_set_by_owner = bool(deal_role)
        participation.version += 1
        participation.updated_by = actor
        participation.save(
            update_fields=[
                "deal_role",
                "deal_role_set_by_owner",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        withholding_refresh(owner=record.owner, partner_ids=[partner.pk], record_ids=[record.pk])
        activity_record(
            record=record,
            company=actor_membership.company,
            actor=actor,
            verb="sharing.deal_role_set",
            data={"partner": partner.name, "partner_id": partner.pk, "deal_role": deal_role},
        )
        for log_company in {record.owner, partner}:
            audit_event_record(
                actor=actor,
                company=log_company,
                action=AuditAction.SHARING_DEAL_ROLE_SET,
                target=record,
                before={"partner": partner.name, **before},
                after={
                    "partner": partner.name,
                    "deal_role": deal_role,
                    "set_by_owner": bool(deal_role),
                },
            )
    return participation


def shared_record_settings_update(
    *,
    actor: User,
    actor_company: Company,
    record: SharedRecord,
    restrict_participants: bool,
    participants_may_share: bool,
) -> bool:
    """The owner's switches on a shared record: participants hidden from each other, and
    whether participants' managers may add further partners. The company's sharing policy
    may forbid re-sharing; then that switch stays off and this answers False. Audited."""
    if role_on_record(user=actor, company=actor_company, record=record) != OWNER:
        raise PermissionDenied("Only the record's owner changes these settings.")
    allowed = True
    if participants_may_share and not sharing_policy().allow_participant_resharing:
        participants_may_share, allowed = False, False
    after = {
        "restrict_participants": restrict_participants,
        "participants_may_share": participants_may_share,
    }
    with transaction.atomic():
        current = SharedRecord.objects.select_for_update().get(pk=record.pk)
        before = {k: getattr(current, k) for k in after}
        SharedRecord.objects.filter(pk=record.pk).update(**after)
        audit_event_record(
            actor=actor,
            company=actor_company,
            action=AuditAction.SHARING_SETTINGS_CHANGED,
            target=record,
            before=before,
            after=after,
        )
    return allowed

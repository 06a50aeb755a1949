"""Writes about partnerships: invite, accept, decline, end. Each is one transaction, audited in
both companies' logs, and tells the other side's admins by e-mail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import User
from sharing.hooks import partnership_ended
from sharing.models import OPEN_STATUSES, Partnership, PartnershipStatus
from sharing.network.selectors import partnership_open_between
from tenants.domains import company_url
from tenants.models import Company, CompanyStatus, Membership, Role


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied("Only your company's owners and admins can manage partnerships.")


def _audit_both(
    *, actor: User, partnership: Partnership, action: AuditAction, before=None, after=None
) -> None:
    for company in (partnership.requester, partnership.addressee):
        audit_event_record(
            actor=actor,
            company=company,
            action=action,
            target=partnership,
            before=before,
            after={
                **(after or {}),
                "requester": partnership.requester.name,
                "addressee": partnership.addressee.name,
            },
        )


def _tell_admins(*, company: Company, subject: str, body: str) -> None:
    emails = list(
        Membership.objects.filter(
            company=company, role__in=[Role.OWNER, Role.ADMIN], user__is_service_account=False
        ).values_list("user__email", flat=True)
    )
    if emails:
        transaction.on_commit(
            lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=emails)
        )


def partnership_invite(
    *, actor: User, actor_membership: Membership, partner: Company, message: str = ""
) -> Partnership:
    company = actor_membership.company
    _require_admin(actor_membership)
    if partner.pk == company.pk:
        raise ValidationError("A company cannot partner with itself.")
    if partner.status != CompanyStatus.ACTIVE:
        raise ValidationError("That company is not on the network.")
    if len(message) > 2000:
        raise ValidationError("Keep the message under 2,000 characters.")
    existing = partnership_open_between(company=company, other=partner)
    if existing is not None:
        if existing.status == PartnershipStatus.ACTIVE:
            raise ValidationError(f"You already partner with {partner.name}.")
        if existing.requester_id == partner.pk:
            raise ValidationError(
                f"{partner.name} has already invited you. Accept their invitation instead."
            )
        raise ValidationError(
            f"You have already invited {partner.name}; they haven't answered yet."
        )
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                requester=company, addressee=partner, invited_by=actor, message=message
            )
            _audit_both(
                actor=actor, partnership=partnership, action=AuditAction.PARTNERSHIP_INVITED
            )
            _tell_admins(
                company=partner,
                subject=f"{company.name} invites you to partner on Ecosystem Cloud",
                body=(
                    f"{actor.get_full_name()} of {company.name} invites {partner.name} to partner.\n\n"
                    f"{message}\n\nAnswer here: {company_url(partner.slug, '/partners/')}\n"
                ),
            )
    except IntegrityError as exc:  # a simultaneous invitation won the race
        raise ValidationError(f"There is already an open invitation with {partner.name}.") from exc
    return partnership


def _respond(
    *, actor: User, actor_membership: Membership, partnership: Partnership, accept: bool
) -> Partnership:
    _require_admin(actor_membership)
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if partnership.addressee_id != actor_membership.company_id:
            raise PermissionDenied("Only the invited company can answer an invitation.")
        if partnership.status != PartnershipStatus.INVITED:
            raise ValidationError("This invitation has already been answered or withdrawn.")
        new_status = PartnershipStatus.ACTIVE if accept else PartnershipStatus.DECLINED
        partnership.status = new_status
        partnership.responded_by = actor
        partnership.responded_at = timezone.now()
        partnership.save(update_fields=["status", "responded_by", "responded_at"])
        _audit_both(
            actor=actor,
            partnership=partnership,
            action=AuditAction.PARTNERSHIP_ACCEPTED if accept else AuditAction.PARTNERSHIP_DECLINED,
            before={"status": PartnershipStatus.INVITED},
            after={"status": new_status},
        )
        verb = "accepted" if accept else "declined"
        _tell_admins(
            company=partnership.requester,
            subject=f"{partnership.addressee.name} {verb} your partnership invitation",
            body=f"See your partners: {company_url(partnership.requester.slug, '/partners/')}\n",
        )
    return partnership


def partnership_accept(
    *, actor: User, actor_membership: Membership, partnership: Partnership
) -> Partnership:
    return _respond(
        actor=actor, actor_membership=actor_membership, partnership=partnership, accept=True
    )


def partnership_decline(
    *, actor: User, actor_membership: Membership, partnership: Partnership
) -> Partnership:
    return _respond(
        actor=actor, actor_membership=actor_membership, partnership=partnership, accept=False
    )


def partnership_end(
    *, actor: User, actor_membership: Membership, partnership: Partnership
) -> Partnership:
    """Ends an active partnership (or withdraws an invitation). The ex-partner leaves every
    sharing list between the two companies in the same transaction."""
    _require_admin(actor_membership)
    with transaction.atomic():
        partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
        if actor_membership.company_id not in (partnership.requester_id, partnership.addressee_id):
            raise PermissionDenied("This partnership is not yours to end.")
        if partnership.status not in OPEN_STATUSES:
            raise ValidationError("This partnership has already ended.")
        before = partnership.status
        partnership.status = PartnershipStatus.ENDED
        partnership.ended_by = actor
        partnership.ended_at = timezone.now()
        partnership.save(update_fields=["status", "ended_by", "ended_at"])
        removed = partnership_ended(
            actor=actor, company_a=partnership.requester, company_b=partnership.addressee
        )
        _audit_both(
            actor=actor,
            partnership=partnership,
            action=AuditAction.PARTNERSHIP_ENDED,
            before={"status": before},
            after={"status": PartnershipStatus.ENDED, "sharing_entries_removed": removed},
        )
        other = partnership.other(actor_membership.company)
        _tell_admins(
            company=other,
            subject=f"{actor_membership.company.name} ended the partnership with {other.name}",
            body="Records shared between you are no longer visible to the other company.\n",
        )
    return partnership

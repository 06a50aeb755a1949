"""Inviting a partner that is not on the network yet, by e-mail."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import User
from sharing.models import PartnerInvitation, Partnership
from sharing.network.selectors import partnership_open_between
from tenants.domains import network_url
from tenants.models import Company, Membership

INVITATION_TTL = timedelta(days=30)


def partner_invitation_send(
    *,
    actor: User,
    actor_membership: Membership,
    email: str,
    company_name: str = "",
    message: str = "",
) -> PartnerInvitation:
    if not actor_membership.is_admin:
        raise PermissionDenied("Only your company's owners and admins can invite partners.")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if email.rpartition("@")[2].startswith("["):
            raise ValidationError("an address at an IP literal")
    except ValidationError as exc:
        raise ValidationError(
            {"email": "Enter the e-mail address of the person to invite."}
        ) from exc
    if len(message) > 2000:
        raise ValidationError({"message": "Keep the message under 2,000 characters."})
    company = actor_membership.company
    with transaction.atomic():
        invitation = PartnerInvitation.objects.create(
            inviter=company,
            email=email,
            company_name=company_name.strip()[:120],
            message=message,
            invited_by=actor,
        )
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.PARTNER_INVITATION_SENT,
            target=invitation,
            after={"email": email},
        )
        link = network_url(f"/join/{invitation.pk}/")
        body = (
            f"{actor.get_full_name()} of {company.name} invites you to partner on Ecosystem Cloud, where "
            f"partners share opportunities, solutions and marketing plans.\n\n{message}\n\n"
            f"Accept: {link}\n\nThe link is valid for 30 days.\n"
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{company.name} invites you to partner on Ecosystem Cloud",
                message=body,
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


def partner_invitation_get(token: str) -> PartnerInvitation | None:
    """A usable invitation (known, not redeemed, not expired), else None."""
    try:
        invitation = PartnerInvitation.objects.select_related("inviter").filter(pk=token).first()
    except ValidationError:
        return None
    if invitation is None or invitation.redeemed_at is not None:
        return None
    if timezone.now() - invitation.created_at > INVITATION_TTL:
        return None
    return invitation


def partner_invitation_redeem(*, actor: User, company: Company, token: str) -> Partnership | None:
    """Opens the pending partnership between the inviter and `company` (the invitee answers it
    on its partners page). None when the invitation is unusable or the companies are already
    connected; never an error, so a sign-up is not spoilt by a stale link."""
    with transaction.atomic():
        invitation = partner_invitation_get(token)
        if invitation is None or invitation.inviter_id == company.pk:
            return None
        if not Membership.objects.filter(user=actor, company=company).exists():
            return None
        partnership = partnership_open_between(company=company, other=invitation.inviter)
        if partnership is None:
            partnership = Partnership.objects.create(
                requester=invitation.inviter,
                addressee=company,
                invited_by=invitation.invited_by,
                message=invitation.message,
            )
            for log_company in (invitation.inviter, company):
                audit_event_record(
                    actor=actor,
                    company=log_company,
                    action=AuditAction.PARTNERSHIP_INVITED,
                    target=partnership,
                    after={
                        "via": "e-mail invitation",
                        "requester": invitation.inviter.name,
                        "addressee": company.name,
                    },
                )
        PartnerInvitation.objects.filter(pk=invitation.pk).update(
            redeemed_at=timezone.now(), partnership=partnership
        )
    return partnership

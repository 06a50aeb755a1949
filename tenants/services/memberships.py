"""Writes about who belongs to a company and with which role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_event_record
from tenants.hooks import membership_ended
from tenants.models import Company, Membership, Role
from tenants.people import User


def _require_admin(actor_membership: Membership) -> None:
    if not actor_membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins can change memberships.")


def _owners_left_after(membership: Membership, new_role: str | None) -> int:
    owners = Membership.objects.filter(company=membership.company, role=Role.OWNER)
    count = owners.exclude(pk=membership.pk).count()
    return count + (1 if new_role == Role.OWNER else 0)


def membership_role_change(
    *, actor: User, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    """Changes a member's role. Only owners make owners, and a company keeps one owner."""
    _require_admin(actor_membership)
    if role not in Role.values:
        raise ValidationError("Choose one of the roles: owner, admin or member.")
    if Role.OWNER in (role, membership.role) and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant or take away the owner role.")
    if membership.role == Role.OWNER and _owners_left_after(membership, role) == 0:
        raise ValidationError("A company needs at least one owner. Make someone else owner first.")
    before = {"role": membership.role}
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        audit_event_record(
            actor=actor,
            company=membership.company,
            action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
            target=membership,
            before=before,
            after={"role": role, "user": membership.user.email},
        )
    return membership


def membership_remove(*, actor: User, actor_membership: Membership, membership: Membership) -> None:
    """Removes a member from the company (not from the network: the login stays)."""
    if membership.user_id != actor.pk:
        _require_admin(actor_membership)
    if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner can remove an owner.")
    if membership.role == Role.OWNER and _owners_left_after(membership, None) == 0:
        raise ValidationError("A company needs at least one owner. Make someone else owner first.")
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            company=membership.company,
            action=AuditAction.MEMBERSHIP_REMOVED,
            target=membership,
            before={"user": membership.user.email, "role": membership.role},
        )
        if membership.company.members_group_id:
            membership.company.members_group.user_set.remove(membership.user)
        membership_ended(membership)
        membership.delete()


def membership_add(*, actor: User | None, company: Company, user: User, role: str) -> Membership:
    """Adds an existing network user to a company (used by sign-up, demo data and, later,
    invitations)."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, company=company, defaults={"role": role}
        )
        if created:
            if company.members_group_id:
                company.members_group.user_set.add(user)
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.MEMBERSHIP_ADDED,
                target=membership,
                after={"user": user.email, "role": role},
            )
    return membership

"""Colleague invitations: an admin invites people by e-mail into their company with a role;
the link in the e-mail brings a new person to a short sign-up and an existing one straight in.

The link is the proof of the mailbox (it went only there), so accepting it verifies the
address. Only the digest of the link's secret is stored; re-sending makes a new secret, so the
latest e-mail's link is the one that works."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.utils import getaddresses

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import ColleagueInvitation, User
from tenants.domains import company_url
from tenants.models import Company, Membership, Role
from tenants.services.memberships import membership_add

INVITATION_TTL = timedelta(days=14)
MAX_ADDRESSES = 50
INVITABLE_ROLES = (Role.MEMBER, Role.ADMIN, Role.OWNER)


class InvitationResult:
    INVITED = "invited"
    RESENT = "resent"
    MEMBER = "member"


@dataclass(frozen=True)
class InvitationOutcome:
    email: str
    result: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_addresses_parse(text: str) -> list[str]:
    """The addresses in what an admin pasted: commas, semicolons, spaces or new lines between
    them, "Name <address>" as mail programs copy them. Lowercased, each once, in order.
    Raises ValidationError naming every address that is not one."""
    raw = (text or "").replace(";", ",").replace("\n", ",").replace("\r", ",")
    pieces = [p.strip() for p in raw.split(",") if p.strip()]
    found: list[str] = []
    bad: list[str] = []
    for piece in pieces:
        parsed = [addr for _, addr in getaddresses([piece]) if addr]
        candidates = parsed if "<" in piece else piece.split()
        for candidate in candidates or [piece]:
            address = candidate.strip().strip("<>").lower()
            try:
                validate_email(address)
            except ValidationError:
                bad.append(candidate.strip()[:80])
            else:
                if address not in found:
                    found.append(address)
    if bad:
        raise ValidationError(
            {"emails": f"These are not e-mail addresses: {', '.join(bad[:10])}. Nothing was sent."}
        )
    if not found:
        raise ValidationError({"emails": "Enter at least one e-mail address."})
    if len(found) > MAX_ADDRESSES:
        raise ValidationError(
            {"emails": f"Invite at most {MAX_ADDRESSES} people at once. Nothing was sent."}
        )
    return found


def _require_inviter(actor_membership: Membership, role: str) -> None:
    if not actor_membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins can invite colleagues.")
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": "Choose one of the roles: member, admin or owner."})
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner can invite another owner.")


def _mail(invitation: ColleagueInvitation, secret: str, actor: User) -> None:
    company = invitation.company
    context = {
        "company": company,
        "inviter": actor,
        "invitation": invitation,
        "role": Role(invitation.role).label.lower(),
        "link": company_url(company.slug, f"/invitations/{secret}/"),
        "days": INVITATION_TTL.days,
    }
    subject = f"{actor.get_full_name()} invites you to {company.name} on Ecosystem Cloud"
    body = render_to_string("identity/email/colleague_invitation.txt", context)
    address = invitation.email
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    )


def colleague_invitations_send(
    *,
    actor: User,
    actor_membership: Membership,
    company: Company,
    emails: str,
    role: str,
    message: str = "",
) -> list[InvitationOutcome]:
    """Invites every address in `emails` with `role`, in one transaction: an address that
    already belongs to a member is reported, not invited; one with an open invitation gets it
    again (new link, new expiry). Any bad address means nothing is sent."""
    _require_inviter(actor_membership, role)
    addresses = invitation_addresses_parse(emails)
    message = (message or "").strip()
    if len(message) > 1000:
        raise ValidationError({"message": "Keep the message under 1,000 characters."})
    members = set(
        Membership.objects.filter(company=company, user__email__in=addresses).values_list(
            "user__email", flat=True
        )
    )
    outcomes: list[InvitationOutcome] = []
    now = timezone.now()
    with transaction.atomic():
        open_ones = {
            inv.email: inv
            for inv in ColleagueInvitation.objects.select_for_update().filter(
                company=company,
                email__in=addresses,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            )
        }
        for address in addresses:
            if address in members:
                outcomes.append(InvitationOutcome(address, InvitationResult.MEMBER))
                continue
            secret = secrets.token_urlsafe(32)
            invitation = open_ones.get(address)
            if invitation is not None:
                before = {"role": invitation.role, "expires_at": invitation.expires_at}
                invitation.role = role
                invitation.message = message
                invitation.digest = _digest(secret)
                invitation.sent_at = now
                invitation.send_count += 1
                invitation.expires_at = now + INVITATION_TTL
                invitation.invited_by = actor
                invitation.save(
                    update_fields=[
                        "role",
                        "message",
                        "digest",
                        "sent_at",
                        "send_count",
                        "expires_at",
                        "invited_by",
                    ]
                )
                action, result = AuditAction.COLLEAGUE_INVITATION_RESENT, InvitationResult.RESENT
            else:
                before = None
                invitation = ColleagueInvitation.objects.create(
                    company=company,
                    email=address,
                    role=role,
                    message=message,
                    digest=_digest(secret),
                    invited_by=actor,
                    sent_at=now,
                    expires_at=now + INVITATION_TTL,
                )
                action, result = AuditAction.COLLEAGUE_INVITATION_SENT, InvitationResult.INVITED
            audit_event_record(
                actor=actor,
                company=company,
                action=action,
                target=invitation,
                before=before,
                after={"email": address, "role": role, "expires_at": invitation.expires_at},
            )
            _mail(invitation, secret, actor)
            outcomes.append(InvitationOutcome(address, result))
    return outcomes


def colleague_invitations_open(*, company: Company) -> QuerySet[ColleagueInvitation]:
    """Invitations not yet accepted or revoked (expired ones included: an admin resends them)."""
    return (
        ColleagueInvitation.objects.filter(
            company=company, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-sent_at")
    )


def colleague_invitation_get_in_company(*, company: Company, pk: str) -> ColleagueInvitation:
    """An open invitation of this company; Http404 for missing and another company's alike."""
    invitation = colleague_invitations_open(company=company).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def colleague_invitation_resend(
    *, actor: User, actor_membership: Membership, invitation: ColleagueInvitation
) -> ColleagueInvitation:
    colleague_invitations_send(
        actor=actor,
        actor_membership=actor_membership,
        company=invitation.company,
        emails=invitation.email,
        role=invitation.role,
        message=invitation.message,
    )
    invitation.refresh_from_db()
    return invitation


def colleague_invitation_revoke(
    *, actor: User, actor_membership: Membership, invitation: ColleagueInvitation
) -> None:
    _require_inviter(actor_membership, Role.MEMBER)
    with transaction.atomic():
        updated = ColleagueInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if updated:
            audit_event_record(
                actor=actor,
                company=invitation.company,
                action=AuditAction.COLLEAGUE_INVITATION_REVOKED,
                target=invitation,
                before={"email": invitation.email, "role": invitation.role},
            )


def colleague_invitation_for_secret(secret: str) -> ColleagueInvitation | None:
    """The invitation a link names, in whatever state it is (the page explains each); None
    for a link that names none."""
    if not secret or len(secret) > 100:
        return None
    return (
        ColleagueInvitation.objects.select_related("company", "invited_by")
        .filter(digest=_digest(secret))
        .first()
    )


def _usable(invitation: ColleagueInvitation) -> ColleagueInvitation:
    """Re-reads the invitation under a lock; raises ValidationError unless it can be used."""
    fresh = (
        ColleagueInvitation.objects.select_for_update()
        .select_related("company")
        .get(pk=invitation.pk)
    )
    if fresh.state != "pending" or not fresh.company.is_workspace:
        raise ValidationError("This invitation can no longer be used.")
    return fresh


def _accept(invitation: ColleagueInvitation, user: User) -> Membership:
    membership = membership_add(
        actor=invitation.invited_by, company=invitation.company, user=user, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    audit_event_record(
        actor=user,
        company=invitation.company,
        action=AuditAction.COLLEAGUE_INVITATION_ACCEPTED,
        target=invitation,
        after={"email": invitation.email, "role": membership.role},
    )
    return membership


def colleague_invitation_accept(*, invitation: ColleagueInvitation, user: User) -> Membership:
    """A signed-in person whose address the invitation was sent to joins the company."""
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    with transaction.atomic():
        return _accept(_usable(invitation), user)


def colleague_invitation_accept_new(
    *, invitation: ColleagueInvitation, full_name: str, password: str
) -> User:
    """Creates the invited person's login (the address counts as verified: the link proves
    it) and their membership, in one transaction. Raises ValidationError with what to fix."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": "Enter your name, as your colleagues know it."})
    candidate = User(email=invitation.email, full_name=full_name[:150])
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            fresh = _usable(invitation)
            if User.objects.filter(email__iexact=fresh.email).exists():
                raise ValidationError(
                    "An account with this address exists already: sign in to accept."
                )
            user = User.objects.create_user(fresh.email, password, full_name=full_name[:150])
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            _accept(fresh, user)
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise ValidationError("An account with this address exists already: sign in.") from exc
    return user

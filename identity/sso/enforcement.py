"""“Require SSO”: a company's members get into its workspace only through its IdP, except
the owners it names as break-glass. Checked on every request to the company's host
(identity.middleware), so a session signed in any other way stops working there at once."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import EmailDomain, SsoConnection, SsoPolicy, User
from identity.models.sessions import AuthMethod
from identity.sessions import sessions_end_for_company
from identity.sso.domains import email_domain
from tenants.models import Company, Membership, Role

REFUSED = (
    "{company} signs its members in through its identity provider. Use “Sign in with "
    "{connection}” on {company}'s sign-in page."
)


def _key(company_id: int) -> str:
    return f"network:sso-policy:{company_id}"


def enforcement_of(company_id: int) -> tuple[bool, frozenset[int]]:
    """(SSO required, break-glass user ids) for a company; cached, dropped on every change."""
    cached = cache.get(_key(company_id))
    if cached is None:
        policy = SsoPolicy.objects.filter(company_id=company_id).first()
        cached = (
            (policy.required, frozenset(policy.break_glass.values_list("pk", flat=True)))
            if policy
            else (False, frozenset())
        )
        cache.set(_key(company_id), cached, timeout=300)
    return cached


def password_allowed(*, company_id: int, user_id: int) -> bool:
    required, break_glass = enforcement_of(company_id)
    return not required or user_id in break_glass


def refusal_text(company: Company) -> str:
    connection = (
        SsoConnection.objects.filter(company=company, enabled=True).order_by("created_at").first()
    )
    return REFUSED.format(company=company.name, connection=connection.name if connection else "SSO")


def enforcement_set(
    *,
    actor: User,
    actor_membership: Membership,
    required: bool,
    break_glass: list[int],
    current_auth: str,
) -> SsoPolicy:
    """Turns "Require SSO" on or off and names the break-glass owners. Turning it on ends
    every session at the company that did not come through its IdP (break-glass owners'
    excepted)."""
    if not actor_membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins change single sign-on.")
    company = actor_membership.company
    owners = set(
        Membership.objects.filter(company=company, role=Role.OWNER).values_list(
            "user_id", flat=True
        )
    )
    if not set(break_glass) <= owners:
        raise ValidationError("Only owners can be break-glass users.")
    if required and not SsoConnection.objects.filter(company=company, enabled=True).exists():
        raise ValidationError("Switch on a tested connection before requiring single sign-on.")
    if required and current_auth != AuthMethod.SSO and actor.pk not in break_glass:
        raise ValidationError(
            "You signed in with a password: sign in through single sign-on first, or name "
            "yourself as a break-glass owner, so that turning this on does not lock you out."
        )
    with transaction.atomic():
        policy, _ = SsoPolicy.objects.select_for_update().get_or_create(company=company)
        before = {
            "required": policy.required,
            "break_glass": sorted(policy.break_glass.values_list("email", flat=True)),
        }
        turned_on = required and not policy.required
        policy.required = required
        policy.save()
        policy.break_glass.set(break_glass)
        ended = (
            sessions_end_for_company(
                company_id=company.pk, except_method=AuthMethod.SSO, keep_users=break_glass
            )
            if turned_on
            else 0
        )
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.SSO_ENFORCEMENT_CHANGED,
            target=policy,
            before=before,
            after={
                "required": required,
                "break_glass": sorted(
                    User.objects.filter(pk__in=break_glass).values_list("email", flat=True)
                ),
                "sessions_ended": ended,
            },
        )
        transaction.on_commit(lambda: cache.delete(_key(company.pk)))
    cache.delete(_key(company.pk))
    return policy


def password_reset_refusal(email: str) -> str:
    """Why a password reset for `email` is refused ('' when it is not): the address is on a
    domain verified by a company that requires SSO, and it is not one of that company's
    break-glass owners. Decided by the domain, which discovery reveals anyway, so the answer
    says nothing about whether the address has an account."""
    domain = email_domain(email)
    row = (
        EmailDomain.objects.filter(
            domain=domain, verified_at__isnull=False, company__sso_policy__required=True
        )
        .select_related("company")
        .first()
    )
    if row is None:
        return ""
    _, break_glass = enforcement_of(row.company_id)
    if User.objects.filter(email__iexact=email, pk__in=break_glass).exists():
        return ""
    return refusal_text(row.company) + " Its password is managed there, not here."

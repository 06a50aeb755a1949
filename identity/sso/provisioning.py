"""What an IdP's answer means for the company: who the person is, whether the company may
trust the IdP for them, and their membership and role (just-in-time provisioning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import SsoConnection, User
from identity.sso.domains import email_domain, verified_domains_of
from tenants.models import Membership, Role
from tenants.services.memberships import membership_add

ROLE_RANK = {Role.MEMBER: 0, Role.ADMIN: 1}


@dataclass
class Assertion:
    """The person as the IdP described them."""

    email: str
    full_name: str
    groups: list[str] = field(default_factory=list)


def _flat(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (list, tuple)):
        return [str(v) for v in values if v is not None]
    return [str(values)]


def assertion_of(sociallogin: Any, connection: SsoConnection) -> Assertion:
    data = sociallogin.account.extra_data or {}
    if connection.protocol == "oidc":
        claims = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
        email = str(claims.get("email") or "")
        name = str(
            claims.get("name")
            or " ".join(str(claims.get(k) or "") for k in ("given_name", "family_name")).strip()
        )
        groups = _flat(claims.get(connection.groups_attribute))
    else:
        email = sociallogin.user.email or ""
        name = sociallogin.user.full_name or ""
        groups = _flat(data.get(connection.groups_attribute))
    return Assertion(email=email.strip().lower(), full_name=name.strip()[:150], groups=groups)


def trust_refusal(connection: SsoConnection, assertion: Assertion) -> str:
    """Why the company's IdP may not sign this person in ('' when it may): an address is
    trusted only on a domain the company verified, so one company's IdP can never speak for
    another company's people."""
    if not assertion.email or "@" not in assertion.email:
        return "The identity provider sent no e-mail address."
    domain = email_domain(assertion.email)
    if domain not in verified_domains_of(company_id=connection.company_id):
        return (
            f"{assertion.email} is not on a domain {connection.company.name} has verified, so "
            "its identity provider cannot sign this address in."
        )
    return ""


def role_for(connection: SsoConnection, assertion: Assertion) -> str | None:
    """The role the group rules give, None when no rule matches."""
    matched = [r["role"] for r in connection.role_rules if r["group"] in assertion.groups]
    return max(matched, key=lambda r: ROLE_RANK[r]) if matched else None


def member_provision(*, connection: SsoConnection, user: User, assertion: Assertion) -> Membership:
    """Makes `user` a member with the role the IdP's groups give (the default role without
    a match), or brings an existing member's name and role up to date. Owners keep their role:
    it is never the IdP's to take away."""
    company = connection.company
    mapped = role_for(connection, assertion)
    with transaction.atomic():
        if assertion.full_name and user.full_name != assertion.full_name:
            user.full_name = assertion.full_name
            user.save(update_fields=["full_name"])
        membership = Membership.objects.filter(user=user, company=company).first()
        if membership is None:
            membership = membership_add(
                actor=None, company=company, user=user, role=mapped or connection.default_role
            )
            audit_event_record(
                actor=user,
                company=company,
                action=AuditAction.SSO_USER_PROVISIONED,
                target=membership,
                after={"user": user.email, "role": membership.role, "connection": connection.name},
            )
        elif mapped and membership.role != Role.OWNER and membership.role != mapped:
            before = {"role": membership.role}
            membership.role = mapped
            membership.save(update_fields=["role"])
            audit_event_record(
                actor=None,
                company=company,
                action=AuditAction.SSO_ROLE_CHANGED,
                target=membership,
                before=before,
                after={"role": mapped, "user": user.email, "groups": assertion.groups[:20]},
            )
    return membership

"""The company's SCIM credentials: one directory-sync service account per company, whose
token the admin pastes into the IdP. Issuing again rotates (the old token keeps working for
the chosen overlap, so the IdP can be updated without a gap)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import ServiceAccount, ServiceAccountPurpose, User
from identity.service_accounts import (
    service_account_create,
    service_account_disable,
    service_account_rotate,
)
from tenants.models import Company, Membership, Role

SCIM_ACCOUNT_NAME = "Directory sync (SCIM)"


def scim_account_of(company: Company) -> ServiceAccount | None:
    return ServiceAccount.objects.filter(
        company=company, purpose=ServiceAccountPurpose.SCIM
    ).first()


def scim_token_issue(
    *, actor: User, actor_membership: Membership | None, company: Company, overlap_hours: int = 1
) -> str:
    """Only owners: the directory can remove anyone from the company, owners included, so its
    token is an owner's power (an admin handing it out would give themselves more than
    Settings → Members does)."""
    if actor_membership is None or actor_membership.role != Role.OWNER:
        raise PermissionDenied(
            "Only owners make or rotate the SCIM token: the directory can remove anyone from "
            "the company, owners included."
        )
    account = scim_account_of(company)
    if account is None:
        _, plain = service_account_create(
            actor=actor,
            actor_membership=actor_membership,
            company=company,
            name=SCIM_ACCOUNT_NAME,
            scopes=[],
            owner=actor,
            expires_in_days=None,
            role=Role.MEMBER,  # it acts through identity.scim, not through the member's pages
            purpose=ServiceAccountPurpose.SCIM,
            description="Provisions people and groups from the company's identity provider.",
        )
        return plain
    if account.disabled_at is not None:
        with transaction.atomic():
            ServiceAccount.objects.filter(pk=account.pk).update(disabled_at=None)
            account.disabled_at = None
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.SERVICE_ACCOUNT_UPDATED,
                target=account,
                before={"disabled": True},
                after={"disabled": False},
            )
            return service_account_rotate(
                actor=actor, actor_membership=actor_membership, account=account, overlap_hours=0
            )
    return service_account_rotate(
        actor=actor, actor_membership=actor_membership, account=account, overlap_hours=overlap_hours
    )


def scim_disable(*, actor: User, actor_membership: Membership | None, company: Company) -> None:
    account = scim_account_of(company)
    if account is not None and account.disabled_at is None:
        service_account_disable(actor=actor, actor_membership=actor_membership, account=account)

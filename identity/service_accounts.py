"""Service accounts: a company's integrations authenticate as themselves, with scopes, an
expiry and an owner to notify, instead of on a person's token (which stops when that person
leaves). Tokens are shown once and stored as digests (identity.tokens); rotation keeps the old
token working for an overlap so a deploy can switch without downtime."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import (
    SERVICE_DOMAIN,
    PersonalAccessToken,
    ServiceAccount,
    ServiceAccountPurpose,
    User,
)
from identity.scopes import SCIM, scopes_clean
from identity.tokens import expiry_days_check, token_mint
from tenants.models import Company, Membership, Role
from tenants.services.memberships import membership_add

ROTATION_OVERLAPS_HOURS = (0, 1, 24, 24 * 7)
EXPIRY_NOTICE_DAYS = 14


def _require_admin(membership: Membership | None) -> None:
    if membership is None or not membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins manage service accounts.")


def service_accounts_of(company: Company) -> QuerySet[ServiceAccount]:
    return (
        ServiceAccount.objects.filter(company=company, purpose=ServiceAccountPurpose.INTEGRATION)
        .select_related("owner", "created_by")
        .order_by("disabled_at", "name")
    )


def service_account_get(company: Company, pk: str) -> ServiceAccount | None:
    try:
        return (
            ServiceAccount.objects.select_related("owner", "user")
            .filter(company=company, purpose=ServiceAccountPurpose.INTEGRATION, pk=pk)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def tokens_of(account: ServiceAccount) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(user=account.user, company=account.company)


def _owner_check(company: Company, owner: User | None) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(
            company=company, user=owner, user__is_service_account=False
        ).exists()
    ):
        raise ValidationError({"owner": "The owner must be a person in this company."})


def _expiry(expires_in_days: int | None) -> datetime | None:
    expiry_days_check(expires_in_days)
    return timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None


def _bot_user(name: str) -> User:
    user = User(
        email=f"svc-{secrets.token_hex(8)}@{SERVICE_DOMAIN}",
        full_name=name[:150],
        is_service_account=True,
    )
    user.set_unusable_password()
    user.save()
    return user


def service_account_create(
    *,
    actor: User,
    actor_membership: Membership | None,
    company: Company,
    name: str,
    scopes: list[str],
    description: str = "",
    owner: User | None = None,
    expires_in_days: int | None = 365,
    role: str = Role.MEMBER,
    purpose: str = ServiceAccountPurpose.INTEGRATION,
    with_token: bool = True,
) -> tuple[ServiceAccount, str]:
    """The account, its membership and its first token (plain text returned once; "" when
    `with_token` is off: a CRM connection's account acts inside our workers and needs none)."""
    _require_admin(actor_membership)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name it after the integration (e.g. “HubSpot sync”)."})
    if role not in (Role.MEMBER, Role.ADMIN):
        raise ValidationError({"role": "A service account is a member or an admin."})
    if purpose == ServiceAccountPurpose.SCIM:
        granted = [SCIM]
    else:
        try:
            granted = scopes_clean(scopes)
        except ValueError as exc:
            raise ValidationError({"scopes": str(exc)}) from exc
        if not granted:
            raise ValidationError({"scopes": "Choose at least one thing it may do."})
    _owner_check(company, owner)
    expires_at = _expiry(expires_in_days)
    with transaction.atomic():
        user = _bot_user(name)
        membership_add(actor=actor, company=company, user=user, role=role)
        account = ServiceAccount.objects.create(
            company=company,
            user=user,
            purpose=purpose,
            name=name[:100],
            description=(description or "").strip()[:300],
            scopes=granted,
            owner=owner,
            created_by=actor,
            expires_at=expires_at,
        )
        plain = ""
        if with_token:
            _, plain = token_mint(
                user=user, company=company, name=f"{name[:80]} token", expires_at=expires_at
            )
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.SERVICE_ACCOUNT_CREATED,
            target=account,
            after={
                "name": account.name,
                "scopes": granted,
                "role": role,
                "owner": owner.email if owner else None,
                "expires_at": expires_at,
            },
        )
    return account, plain


def service_account_update(
    *,
    actor: User,
    actor_membership: Membership | None,
    account: ServiceAccount,
    name: str,
    description: str,
    scopes: list[str],
    owner: User | None,
) -> ServiceAccount:
    _require_admin(actor_membership)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give it a name."})
    try:
        granted = scopes_clean(scopes)
    except ValueError as exc:
        raise ValidationError({"scopes": str(exc)}) from exc
    if not granted:
        raise ValidationError({"scopes": "Choose at least one thing it may do."})
    _owner_check(account.company, owner)
    before = {
        "name": account.name,
        "description": account.description,
        "scopes": account.scopes,
        "owner": account.owner.email if account.owner else None,
    }
    with transaction.atomic():
        account.name = name[:100]
        account.description = (description or "").strip()[:300]
        account.scopes = granted
        account.owner = owner
        account.save(update_fields=["name", "description", "scopes", "owner"])
        User.objects.filter(pk=account.user_id).update(full_name=account.name[:150])
        after = {
            "name": account.name,
            "description": account.description,
            "scopes": granted,
            "owner": owner.email if owner else None,
        }
        audit_event_record(
            actor=actor,
            company=account.company,
            action=AuditAction.SERVICE_ACCOUNT_UPDATED,
            target=account,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return account


def service_account_rotate(
    *,
    actor: User,
    actor_membership: Membership | None,
    account: ServiceAccount,
    overlap_hours: int = 24,
) -> str:
    """A new token; the ones in use keep working for `overlap_hours` (0: stop now)."""
    _require_admin(actor_membership)
    if overlap_hours not in ROTATION_OVERLAPS_HOURS:
        raise ValidationError({"overlap_hours": "Choose one of the offered overlaps."})
    if not account.is_active:
        raise ValidationError("This service account is disabled or expired.")
    now = timezone.now()
    ends = now + timedelta(hours=overlap_hours)
    with transaction.atomic():
        live = (
            tokens_of(account)
            .filter(revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        )
        if overlap_hours == 0:
            retired = live.update(revoked_at=now)
        else:
            retired = live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=ends)).update(
                expires_at=ends
            )
        _, plain = token_mint(
            user=account.user,
            company=account.company,
            name=f"{account.name[:80]} token",
            expires_at=account.expires_at,
        )
        audit_event_record(
            actor=actor,
            company=account.company,
            action=AuditAction.SERVICE_ACCOUNT_TOKEN_ROTATED,
            target=account,
            after={"overlap_hours": overlap_hours, "previous_tokens": retired},
        )
        owner = account.owner
        if owner is not None and owner.pk != actor.pk:
            message = render_to_string(
                "identity/email/service_account_rotated.txt",
                {"account": account, "actor": actor, "ends": ends, "overlap": overlap_hours},
            )
            transaction.on_commit(
                lambda: send_mail(
                    subject=f"“{account.name}” has a new token",
                    message=message,
                    from_email=None,
                    recipient_list=[owner.email],
                )
            )
    return plain


def service_account_disable(
    *, actor: User, actor_membership: Membership | None, account: ServiceAccount
) -> None:
    """Stops the account and every token of it now; the account stays listed for the record."""
    _require_admin(actor_membership)
    now = timezone.now()
    with transaction.atomic():
        ServiceAccount.objects.filter(pk=account.pk, disabled_at__isnull=True).update(
            disabled_at=now
        )
        tokens_of(account).filter(revoked_at__isnull=True).update(revoked_at=now)
        audit_event_record(
            actor=actor,
            company=account.company,
            action=AuditAction.SERVICE_ACCOUNT_DISABLED,
            target=account,
            before={"name": account.name},
        )
    account.disabled_at = now


def service_accounts_expiring(now: datetime | None = None) -> QuerySet[ServiceAccount]:
    """Accounts ending within EXPIRY_NOTICE_DAYS whose owner was not told yet."""
    now = now or timezone.now()
    return ServiceAccount.objects.filter(
        disabled_at__isnull=True,
        expiry_notified_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=EXPIRY_NOTICE_DAYS),
        owner__isnull=False,
        # only while the owner is still in the company (the notice names its configuration)
        owner__memberships__company=F("company"),
    ).select_related("owner", "company")

"""Personal access tokens: minting, checking, revoking. A token reads `eco_<prefix>_<secret>`;
the prefix finds the row, the secret is compared by its SHA-256 digest in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import PersonalAccessToken, User
from identity.scopes import ALL_SCOPES, scopes_clean
from tenants.models import Company

TOKEN_PREFIX = "eco"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_mint(
    *,
    user: User,
    company: Company,
    name: str,
    expires_at: datetime | None,
    scopes: list[str] | None = None,
) -> tuple[PersonalAccessToken, str]:
    """A new token row and its plain text, which is never stored or shown again. Callers audit."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=user,
        company=company,
        name=name[:100],
        prefix=prefix,
        digest=_digest(secret),
        expires_at=expires_at,
        scopes=scopes or [],
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def expiry_days_check(expires_in_days: int | None, *, field: str = "expires_in_days") -> None:
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationError({field: "Choose between 1 and 366 days, or no expiry."})


def token_create(
    *,
    actor: User,
    company: Company,
    name: str,
    expires_in_days: int | None = 90,
    scopes: list[str] | None = None,
) -> tuple[PersonalAccessToken, str]:
    """A person's token. `scopes` None means every scope (what the person may do, no more);
    an empty list is refused, since such a token could do nothing."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": "Name the token after what will use it (e.g. “HubSpot sync”)."}
        )
    expiry_days_check(expires_in_days)
    try:
        granted = list(ALL_SCOPES) if scopes is None else scopes_clean(scopes)
    except ValueError as exc:
        raise ValidationError({"scopes": str(exc)}) from exc
    if not granted:
        raise ValidationError({"scopes": "Choose at least one thing the token may do."})
    with transaction.atomic():
        token, plain = token_mint(
            user=actor,
            company=company,
            name=name,
            expires_at=timezone.now() + timedelta(days=expires_in_days)
            if expires_in_days
            else None,
            scopes=granted,
        )
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.TOKEN_CREATED,
            target=token,
            after={"name": token.name, "scopes": granted, "expires_at": token.expires_at},
        )
    return token, plain


def token_revoke(*, actor: User, token: PersonalAccessToken) -> None:
    with transaction.atomic():
        PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_event_record(
            actor=actor,
            company=token.company,
            action=AuditAction.TOKEN_REVOKED,
            target=token,
            before={"name": token.name},
        )


def token_prefix(raw: str) -> str:
    """The public part of a presented token (what failed attempts are counted against)."""
    parts = (raw or "").split("_", 2)
    return parts[1][:32] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else "(malformed)"


def token_authenticate(raw: str, *, company: Company) -> PersonalAccessToken | None:
    """The active token `raw` names, if it belongs to `company`; else None."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        PersonalAccessToken.objects.select_related("user", "user__service_account")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(parts[2])):
        return None
    if not token.is_active or token.company_id != company.pk or not token.user.is_active:
        return None
    account = (
        getattr(token.user, "service_account", None) if token.user.is_service_account else None
    )
    if token.user.is_service_account and (account is None or not account.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

"""What ends when a person leaves a company: their API tokens and their sessions there, and
their ownership of its service accounts (whose notices would tell them of its configuration).
Their login, their other companies and the history they wrote stay."""

from __future__ import annotations

from django.utils import timezone

from identity.models import PersonalAccessToken, ServiceAccount
from identity.sessions import sessions_end
from tenants.models import Membership


def member_access_end(membership: Membership) -> None:
    """Registered with tenants.hooks.on_membership_ended; runs in the removal's transaction,
    so the next request with a token or a session of theirs on that host gets nothing."""
    PersonalAccessToken.objects.filter(
        user_id=membership.user_id, company_id=membership.company_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    sessions_end(user=membership.user, company_id=membership.company_id)
    ServiceAccount.objects.filter(
        company_id=membership.company_id, owner_id=membership.user_id
    ).update(owner=None)

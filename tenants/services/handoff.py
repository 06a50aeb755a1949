"""Carrying a signed-in user from one of our hosts to a company's host.

Sessions are per host (acme.example.com cannot read example.com's cookie, and sharing one
cookie across every company's subdomain would let one workspace's XSS ride another's
session). So switching company mints a one-time ticket that the target host redeems."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from tenants.domains import company_url
from tenants.models import Company, LoginHandoff, Membership
from tenants.people import User

HANDOFF_TTL = timedelta(seconds=60)


def _safe_path(path: str) -> str:
    if path and path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return "/"


def handoff_issue(*, user: User, company: Company, next_path: str = "/") -> str | None:
    """Returns the URL that signs `user` in on `company`'s host, or None if they are not a
    member (callers answer 404: which companies exist is not for them to probe here)."""
    if not Membership.objects.filter(user=user, company=company).exists():
        return None
    ticket = LoginHandoff.objects.create(
        user=user, company=company, next_path=_safe_path(next_path)
    )
    return company_url(company.slug, f"/auth/handoff/?{urlencode({'ticket': str(ticket.pk)})}")


def handoff_redeem(*, ticket_id: str, company: Company) -> LoginHandoff | None:
    """Consumes a ticket for this company; None if unknown, used, expired, for another company,
    or the user is no longer a member."""
    with transaction.atomic():
        ticket = (
            LoginHandoff.objects.select_for_update()
            .select_related("user")
            .filter(pk=ticket_id, company=company, used_at__isnull=True)
            .first()
        )
        if ticket is None or timezone.now() - ticket.created_at > HANDOFF_TTL:
            return None
        ticket.used_at = timezone.now()
        ticket.save(update_fields=["used_at"])
    if not ticket.user.is_active:
        return None
    if not Membership.objects.filter(user=ticket.user, company=company).exists():
        return None
    return ticket


def handoff_tickets_purge() -> int:
    """Deletes tickets that are used or expired; they are worthless after a minute."""
    cutoff = timezone.now() - HANDOFF_TTL
    deleted, _ = LoginHandoff.objects.filter(created_at__lt=cutoff).delete()
    return deleted

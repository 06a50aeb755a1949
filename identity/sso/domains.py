"""Verified e-mail domains: a company adds a domain, publishes a TXT record with its token,
and presses Verify; only then does its IdP count for addresses there (identity.sso.trust)."""

from __future__ import annotations

import re

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import EmailDomain, User
from tenants.models import Company, Membership

LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_DOMAINS = 50


def domain_normalize(text: str) -> str:
    """A domain as typed ("@Acme.com", "https://acme.com/") in its plain form, or a
    ValidationError that says what a domain looks like."""
    value = (text or "").strip().lower().removeprefix("@")
    value = re.sub(r"^[a-z]+://", "", value).split("/")[0].rstrip(".")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError({"domain": "Enter a domain such as acme.com."}) from exc
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(LABEL.match(x) for x in labels):
        raise ValidationError({"domain": "Enter a domain such as acme.com."})
    if value == settings.BASE_DOMAIN or value.endswith("." + settings.BASE_DOMAIN):
        raise ValidationError({"domain": "That is the network's own domain."})
    return value


def _require_admin(membership: Membership) -> None:
    if not membership.is_admin:
        raise PermissionDenied("Only the company's owners and admins manage its domains.")


def domains_of_company(*, company: Company) -> QuerySet[EmailDomain]:
    return EmailDomain.objects.filter(company=company)


def domain_get_in_company(*, company: Company, pk: str) -> EmailDomain:
    domain = domains_of_company(company=company).filter(pk=pk).first()
    if domain is None:
        raise Http404("No such domain.")
    return domain


def domain_add(*, actor: User, actor_membership: Membership, domain: str) -> EmailDomain:
    _require_admin(actor_membership)
    company = actor_membership.company
    value = domain_normalize(domain)
    if domains_of_company(company=company).count() >= MAX_DOMAINS:
        raise ValidationError({"domain": f"A company can claim at most {MAX_DOMAINS} domains."})
    try:
        with transaction.atomic():
            row = EmailDomain.objects.create(company=company, domain=value, created_by=actor)
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.SSO_DOMAIN_ADDED,
                target=row,
                after={"domain": value},
            )
    except IntegrityError as exc:
        raise ValidationError({"domain": f"{value} is on your list already."}) from exc
    return row


def _resolver() -> dns.resolver.Resolver:
    if not settings.DNS_RESOLVER:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    host, _, port = settings.DNS_RESOLVER.rpartition(":")
    resolver.nameservers = [host or settings.DNS_RESOLVER]
    resolver.port = int(port) if host else 53
    return resolver


def txt_records(name: str) -> list[str]:
    """The TXT strings published at `name` (empty when there are none)."""
    resolver = _resolver()
    resolver.lifetime = 5.0
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def domain_verify(*, actor: User, actor_membership: Membership, domain: EmailDomain) -> bool:
    """Looks for the TXT record at the domain (or at _ecosystem-cloud.<domain>); marks the
    domain verified when found. Returns whether it is verified; the reason it is not is kept
    in last_error, in words the admin can act on."""
    _require_admin(actor_membership)
    expected = domain.txt_value
    error = ""
    try:
        found = txt_records(domain.domain) + txt_records(f"_ecosystem-cloud.{domain.domain}")
    except dns.exception.DNSException:
        found, error = [], "The DNS lookup failed or timed out. Try again in a few minutes."
    now = timezone.now()
    ok = expected in found
    if not ok and not error:
        error = (
            f"No TXT record “{expected}” at {domain.domain} yet. DNS changes can take a while "
            "to show; try again later."
        )
    with transaction.atomic():
        if ok:
            taken = (
                EmailDomain.objects.filter(domain=domain.domain, verified_at__isnull=False)
                .exclude(pk=domain.pk)
                .exists()
            )
            if taken:
                ok, error = False, f"{domain.domain} is verified by another company already."
        EmailDomain.objects.filter(pk=domain.pk).update(
            last_checked_at=now,
            last_error="" if ok else error[:300],
            verified_at=(domain.verified_at or now) if ok else domain.verified_at,
        )
        if ok and domain.verified_at is None:
            audit_event_record(
                actor=actor,
                company=domain.company,
                action=AuditAction.SSO_DOMAIN_VERIFIED,
                target=domain,
                after={"domain": domain.domain},
            )
    domain.refresh_from_db()
    return domain.verified_at is not None


def domain_remove(*, actor: User, actor_membership: Membership, domain: EmailDomain) -> None:
    _require_admin(actor_membership)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            company=domain.company,
            action=AuditAction.SSO_DOMAIN_REMOVED,
            target=domain,
            before={"domain": domain.domain, "verified": domain.verified_at is not None},
        )
        domain.delete()


def verified_domains_of(*, company_id: int) -> set[str]:
    return set(
        EmailDomain.objects.filter(company_id=company_id, verified_at__isnull=False).values_list(
            "domain", flat=True
        )
    )


def email_domain(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()

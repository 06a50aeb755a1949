"""Writes about companies: creating one at sign-up, editing its profile."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from audit.services import audit_event_record
from identity.models import User
from tenants.domains import RESERVED_SLUGS, SLUG_PATTERN, company_host
from tenants.models import Company, Domain, Membership, Role
from tenants.services.provisioning import company_activate, company_schema_claim

PROFILE_FIELDS = ("name", "website", "description", "industries", "regions", "partner_types")


def company_slug_suggest(name: str) -> str:
    return slugify(name)[:40].strip("-")


def company_slug_validate(slug: str) -> str:
    """Returns the normalised slug or raises a ValidationError a person can act on."""
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationError("Choose a web address for your company.", code="required")
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            "Use 1–40 lowercase letters, digits or hyphens, starting and ending with a letter "
            "or digit (for example “acme-robotics”).",
            code="invalid",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            f"“{slug}” is reserved. Please choose another address.", code="reserved"
        )
    if Company.objects.filter(slug=slug).exists():
        raise ValidationError(
            f"{company_host(slug)} is already taken. Please choose another address.",
            code="taken",
        )
    return slug


def company_name_validate(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ValidationError("Enter your company's name (at least 2 characters).", code="short")
    if len(name) > 120:
        raise ValidationError("Company names can be at most 120 characters.", code="long")
    return name


def company_create(
    *, actor: User, name: str, slug: str, website: str = "", ip_address: str | None = None
) -> Company:
    """Creates a company with `actor` as its owner: claims a ready schema, gives it its domain
    and the owner membership, and audits it, all in one transaction. Bad input raises
    ValidationError before anything is written."""
    name = company_name_validate(name)
    slug = company_slug_validate(slug)
    try:
        with transaction.atomic():
            company = company_schema_claim()
            group = Group.objects.create(name=f"company:{company.pk}:members")
            company_activate(company, name=name, slug=slug, website=website, members_group=group)
            Domain.objects.create(domain=company_host(slug), tenant=company, is_primary=True)
            Membership.objects.create(user=actor, company=company, role=Role.OWNER)
            group.user_set.add(actor)
            audit_event_record(
                actor=actor,
                company=company,
                action="company.created",
                target=company,
                after={"name": name, "slug": slug, "website": website},
                ip_address=ip_address,
            )
            transaction.on_commit(lambda: _after_company_created(company, actor))
    except IntegrityError as exc:
        # Two sign-ups raced for the same address; the loser gets the same message as usual.
        raise ValidationError(
            f"{company_host(slug)} is already taken. Please choose another address.",
            code="taken",
        ) from exc
    return company


def _after_company_created(company: Company, owner: User) -> None:
    from tenants.tasks import schema_pool_refill
    from workspace.tasks import workspace_bootstrap

    schema_pool_refill.apply_async(headers={"_schema_name": "public"})
    # Runs inside the new company's schema (tenant-schemas-celery reads this header).
    workspace_bootstrap.apply_async(
        kwargs={"owner_id": owner.pk}, headers={"_schema_name": company.schema_name}
    )


def company_profile_update(*, actor: User, company: Company, data: dict[str, Any]) -> Company:
    """Updates the profile partners see in the directory; audited with before/after."""
    changed = {k: v for k, v in data.items() if k in PROFILE_FIELDS and getattr(company, k) != v}
    if not changed:
        return company
    if "name" in changed:
        changed["name"] = company_name_validate(changed["name"])
    before = {k: getattr(company, k) for k in changed}
    with transaction.atomic():
        for key, value in changed.items():
            setattr(company, key, value)
        company.save(update_fields=list(changed))
        audit_event_record(
            actor=actor,
            company=company,
            action="company.profile_updated",
            target=company,
            before=before,
            after=changed,
        )
    return company

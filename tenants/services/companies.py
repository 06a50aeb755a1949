"""Writes about companies: creating one at sign-up, editing its profile."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from audit.actions import AuditAction
from audit.services import audit_event_record
from tenants.domains import (
    SLUG_MAX_LENGTH,
    SLUG_MIN_LENGTH,
    SLUG_PATTERN,
    company_host,
    look_alike_keys,
    name_mixes_scripts,
    name_reserved,
    name_skeleton,
    slug_reserved_reason,
    slug_skeleton,
)
from tenants.hooks import company_created
from tenants.models import REAL_COMPANY_STATUSES, Company, Domain, Membership, Role
from tenants.people import User
from tenants.services.provisioning import company_activate, company_schema_claim

PROFILE_FIELDS = ("name", "website", "description", "industries", "regions", "offerings")


def company_slug_suggest(name: str) -> str:
    return slugify(name)[:40].strip("-")


EXAMPLE_SLUG = "acme-robotics"
_RESERVED_MESSAGES = {
    "service": "it looks like an address we keep for the service itself",
    "sign-in": "words like “login” or “sso” in an address could pass for our sign-in page",
    "database": "addresses that start with “pg” look like our database's own names",
    "punycode": "an address that starts with “xn-” reads like an internationalised one",
}


def company_slug_validate(slug: str, *, company: Company | None = None) -> str:
    """Returns the normalised slug or raises a ValidationError a person can act on.

    The one check for every address a company is given (sign-up, "create another company",
    company_create; `company` is the one being changed, if any). The policy:

    - 3–40 lowercase letters and digits, with single hyphens between them: no leading,
      trailing or double hyphen, so no punycode ("xn--…") either;
    - not reserved (tenants.domains.slug_reserved_reason): our own and infrastructure words
      with only digits or hyphens around them ("admin-2", "ecosystem-cloud", "localhost"),
      sign-in words anywhere ("acme-login"), database-like names ("pg-catalog");
    - not taken, and not a look-alike of a real company's address: same skeleton
      (tenants.domains.slug_skeleton), so with "northwind" on the network "n0rthwind",
      "north-wind", "northwind-2" and "northvvind" are refused. Pool, template and public rows
      are the service's own and are not compared.

    Taken and look-alike are one indexed query. The message for a look-alike names only what
    the person typed, never the company it resembles."""
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationError("Choose a web address for your company.", code="required")
    if len(slug) > SLUG_MAX_LENGTH:
        raise ValidationError(
            f"A workspace address can be at most {SLUG_MAX_LENGTH} characters; "
            f"choose a shorter one (for example “{EXAMPLE_SLUG}”).",
            code="invalid",
        )
    if "--" in slug:
        raise ValidationError(
            f"“{slug}” has two hyphens in a row. Use lowercase letters, digits and single "
            f"hyphens (for example “{EXAMPLE_SLUG}”).",
            code="invalid",
        )
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            f"Use {SLUG_MIN_LENGTH}–{SLUG_MAX_LENGTH} lowercase letters, digits or single "
            "hyphens, starting and ending with a letter or digit "
            f"(for example “{EXAMPLE_SLUG}”).",
            code="invalid",
        )
    if len(slug) < SLUG_MIN_LENGTH:
        raise ValidationError(
            f"“{slug}” is too short: a workspace address needs at least {SLUG_MIN_LENGTH} "
            f"characters (for example “{EXAMPLE_SLUG}”).",
            code="short",
        )
    reason = slug_reserved_reason(slug)
    if reason is not None:
        raise ValidationError(
            f"“{slug}” is reserved: {_RESERVED_MESSAGES[reason]}. "
            f"Choose another, for example “{EXAMPLE_SLUG}”.",
            code="reserved",
        )
    clashes = Company.objects.filter(
        Q(slug=slug)
        | Q(
            look_alike_keys__overlap=look_alike_keys(slug_skeleton(slug)),
            status__in=REAL_COMPANY_STATUSES,
        )
    )
    if company is not None:
        clashes = clashes.exclude(pk=company.pk)
    clashing_slugs = set(clashes.values_list("slug", flat=True))
    if slug in clashing_slugs:
        raise ValidationError(
            f"{company_host(slug)} is already taken. Please choose another address.",
            code="taken",
        )
    if clashing_slugs:
        raise ValidationError(
            f"“{slug}” is too close to the address of a workspace already on the network; "
            "choose one that is clearly yours.",
            code="look_alike",
        )
    return slug


def company_name_validate(name: str, *, company: Company | None = None) -> str:
    """Returns the tidied name or raises a ValidationError a person can act on. A name that
    looks like a real company's (same tenants.domains.name_skeleton: "Northwlnd Cloud" for
    "Northwind Cloud") is refused, without naming that company."""
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ValidationError("Enter your company's name (at least 2 characters).", code="short")
    if len(name) > 120:
        raise ValidationError("Company names can be at most 120 characters.", code="long")
    if any(unicodedata.category(ch) == "Cf" for ch in name):
        # right-to-left overrides and zero-width characters: "\u202eduolC dniwhtroN" shows as
        # "Northwind Cloud" in every list
        raise ValidationError(
            "Company names can't hold invisible formatting characters (such as a right-to-left "
            "override). Type the name as it should read.",
            code="format_characters",
        )
    if not any(ch.isalpha() for ch in name):
        raise ValidationError("A company name needs at least one letter.", code="no_letters")
    if name_reserved(name):
        raise ValidationError(
            f"“{name}” reads like the name of Ecosystem Cloud itself. Use your company's own name.",
            code="reserved",
        )
    skeleton = name_skeleton(name)
    look_alikes = Company.objects.real().filter(look_alike_keys__overlap=look_alike_keys(skeleton))
    if company is not None:
        look_alikes = look_alikes.exclude(pk=company.pk)
    if skeleton and look_alikes.exists():
        raise ValidationError(
            f"“{name}” is too close to the name of a company already on the network. Use your "
            "full company name, or add what sets yours apart (for example your city).",
            code="look_alike",
        )
    if name_mixes_scripts(name):
        raise ValidationError(
            f"“{name}” mixes letters of different alphabets in one word, the way look-alike "
            "names are made. Type your company's name in one alphabet.",
            code="mixed_scripts",
        )
    return name


# Advisory-lock namespace (the two-key form) for look-alike checks: a sign-up holds the lock of
# its address's and its name's skeleton until commit, so two look-alikes cannot both pass.
LOOK_ALIKE_LOCK_SLUG = 804_417_002
LOOK_ALIKE_LOCK_NAME = 804_417_003


def _look_alike_lock(*, slug: str | None = None, name: str | None = None) -> None:
    assert transaction.get_connection().in_atomic_block
    keys = []
    if slug is not None:
        keys.append((LOOK_ALIKE_LOCK_SLUG, slug_skeleton(slug.strip().lower())))
    if name is not None:
        keys.append((LOOK_ALIKE_LOCK_NAME, name_skeleton(name)))
    with connection.cursor() as cursor:
        for namespace, skeleton in keys:  # always slug before name: no deadlock
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [namespace, skeleton])


def company_create(
    *, actor: User, name: str, slug: str, website: str = "", ip_address: str | None = None
) -> Company:
    """Creates a company with `actor` as its owner: claims a ready schema, gives it its domain
    and the owner membership, and audits it, all in one transaction. Bad input raises
    ValidationError before anything is written."""
    try:
        with transaction.atomic():
            # Checked under the look-alike locks, so a racing sign-up for a look-alike waits
            # for this one to commit and is then refused.
            _look_alike_lock(slug=slug, name=name)
            name = company_name_validate(name)
            slug = company_slug_validate(slug)
            company = company_schema_claim()
            group = Group.objects.create(name=f"company:{company.pk}:members")
            company_activate(company, name=name, slug=slug, website=website, members_group=group)
            Domain.objects.create(domain=company_host(slug), tenant=company, is_primary=True)
            Membership.objects.create(user=actor, company=company, role=Role.OWNER)
            group.user_set.add(actor)
            audit_event_record(
                actor=actor,
                company=company,
                action=AuditAction.COMPANY_CREATED,
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
    # the pool's refill and every room's start-up work (tenants/apps.py, tenants/hooks.py)
    company_created(company, owner)


def company_profile_update(*, actor: User, company: Company, data: dict[str, Any]) -> Company:
    """Updates the profile partners see in the directory; audited with before/after."""
    changed = {k: v for k, v in data.items() if k in PROFILE_FIELDS and getattr(company, k) != v}
    if not changed:
        return company
    before = {k: getattr(company, k) for k in changed}
    with transaction.atomic():
        if "name" in changed:
            _look_alike_lock(name=changed["name"])
            changed["name"] = company_name_validate(changed["name"], company=company)
        for key, value in changed.items():
            setattr(company, key, value)
        company.save(update_fields=list(changed))
        audit_event_record(
            actor=actor,
            company=company,
            action=AuditAction.COMPANY_PROFILE_UPDATED,
            target=company,
            before=before,
            after=changed,
        )
    return company

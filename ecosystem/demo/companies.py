"""The demo companies and their people (every demo login has the password DEMO_PASSWORD)."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from identity.models import User
from tenants.models import Company, Role
from tenants.services.companies import company_create, company_profile_update
from tenants.services.memberships import membership_add

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoCompany:
    name: str
    slug: str
    website: str
    description: str
    industries: tuple[str, ...]
    regions: tuple[str, ...]
    offerings: tuple[str, ...]
    people: tuple[tuple[str, str, str], ...]  # (full name, e-mail, role)


DEMO_COMPANIES = (
    DemoCompany(
        "Northwind Cloud",
        "northwind",
        "https://northwind.example",
        "Cloud data platform for mid-market manufacturers.",
        ("Manufacturing", "Logistics"),
        ("North America", "EMEA"),
        ("technology", "marketplace"),
        (
            ("Nora Lind", "nora@northwind.example", Role.OWNER),
            ("Sam Okafor", "sam@northwind.example", Role.ADMIN),
            ("Priya Raman", "priya@northwind.example", Role.MEMBER),
        ),
    ),
    DemoCompany(
        "Bluepeak Consulting",
        "bluepeak",
        "https://bluepeak.example",
        "Systems integrator for ERP and data migrations.",
        ("Manufacturing", "Retail"),
        ("EMEA",),
        ("system_integrator", "consulting"),
        (
            ("Ben Carter", "ben@bluepeak.example", Role.OWNER),
            ("Lea Fischer", "lea@bluepeak.example", Role.MEMBER),
        ),
    ),
    DemoCompany(
        "Harbor Security",
        "harbor",
        "https://harbor.example",
        "Identity and access security for regulated industries.",
        ("Financial Services", "Healthcare"),
        ("North America", "APAC"),
        ("technology", "reseller"),
        (
            ("Hana Sato", "hana@harbor.example", Role.OWNER),
            ("Diego Alvarez", "diego@harbor.example", Role.MEMBER),
        ),
    ),
    DemoCompany(
        "Summit Resellers",
        "summit",
        "https://summit.example",
        "Value-added reseller and MSP across the Nordics.",
        ("Public Sector", "Retail"),
        ("Nordics",),
        ("reseller", "msp"),
        (
            ("Mikael Berg", "mikael@summit.example", Role.OWNER),
            # A consultant who works in two companies: the demo of the company switcher.
            ("Priya Raman", "priya@northwind.example", Role.MEMBER),
        ),
    ),
)


def _demo_user(full_name: str, email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def demo_companies_load() -> list[Company]:
    """Creates the demo companies that are missing, each with its profile and people; leaves
    existing ones alone."""
    companies = []
    for demo in DEMO_COMPANIES:
        existing = Company.objects.filter(slug=demo.slug).first()
        if existing is not None:
            companies.append(existing)
            continue
        with transaction.atomic():
            owner_name, owner_email, _ = demo.people[0]
            owner = _demo_user(owner_name, owner_email)
            company = company_create(
                actor=owner, name=demo.name, slug=demo.slug, website=demo.website
            )
            company_profile_update(
                actor=owner,
                company=company,
                data={
                    "description": demo.description,
                    "industries": list(demo.industries),
                    "regions": list(demo.regions),
                    "offerings": list(demo.offerings),
                },
            )
            for full_name, email, role in demo.people[1:]:
                membership_add(
                    actor=owner, company=company, user=_demo_user(full_name, email), role=role
                )
        companies.append(company)
    return companies

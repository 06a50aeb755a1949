"""The demo network: companies, people, partnerships and shared deals a PBM would recognise.

Built through the real services (so it obeys every rule the product does). Used by ./run."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from identity.models import User
from tenants.models import Company, Membership, Role
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
    partner_types: tuple[str, ...]
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
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def demo_network_load() -> list[Company]:
    """Creates the demo companies that are missing; leaves existing ones alone."""
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
                    "partner_types": list(demo.partner_types),
                },
            )
            for full_name, email, role in demo.people[1:]:
                membership_add(
                    actor=owner, company=company, user=_demo_user(full_name, email), role=role
                )
        companies.append(company)
    _demo_business_load()
    _demo_sharing_load()
    _demo_policies_load()
    return companies


DEMO_PARTNERSHIPS = (
    ("northwind", "bluepeak", "active"),
    ("northwind", "harbor", "active"),
    ("bluepeak", "harbor", "active"),
    ("summit", "northwind", "invited"),
)

DEMO_DEALS = (
    # owner, customer, domain, amount, stage, motion, next step, [(partner, role)], restricted
    (
        "northwind",
        "Contoso Manufacturing",
        "contoso.example",
        "480000",
        "propose",
        "sell_with",
        "Joint architecture review",
        [("bluepeak", "contributor"), ("harbor", "viewer")],
        True,
    ),
    (
        "northwind",
        "Fabrikam Logistics",
        "fabrikam.example",
        "125000",
        "qualify",
        "sell_through",
        "Discovery call with IT",
        [("bluepeak", "manager")],
        False,
    ),
    (
        "northwind",
        "Tailspin Retail",
        "tailspin.example",
        "64000",
        "prospect",
        "referral",
        "",
        [],
        False,
    ),
    (
        "bluepeak",
        "Woodgrove Bank",
        "woodgrove.example",
        "910000",
        "negotiate",
        "sell_with",
        "Security questionnaire",
        [("harbor", "contributor"), ("northwind", "viewer")],
        False,
    ),
)


DEMO_REGIONS = {
    "Contoso Manufacturing": "emea",
    "Fabrikam Logistics": "amer",
    "Tailspin Retail": "emea",
}


def _demo_business_load() -> None:
    """Each demo company shapes its business its own way: Northwind tracks a shared region
    and a computed weighted amount; Bluepeak names the stages in its own words and reads
    Northwind's region as its territory."""
    from business.mappings import mapping_set
    from business.models import FieldDefinition, Term, Vocabulary
    from business.services import field_create, term_update
    from tenants.schemas import company_schema

    northwind = Company.objects.get(slug="northwind")
    bluepeak = Company.objects.get(slug="bluepeak")
    owner = Membership.objects.get(company=northwind, role=Role.OWNER).user
    with company_schema(northwind):
        if not FieldDefinition.objects.filter(key="region").exists():
            regions = Vocabulary.objects.get(key="regions")
            for data in (
                {
                    "key": "region",
                    "label": "Region",
                    "field_type": "choice",
                    "vocabulary": regions,
                    "shareable": True,
                    "indexed": True,
                    "position": 1,
                },
                {
                    "key": "weighted_amount",
                    "label": "Weighted amount",
                    "field_type": "number",
                    "formula": 'ROUND(amount * CASE(stage, "qualify", 0.2, "propose", 0.5, '
                    '"negotiate", 0.8, "won", 1, 0.05), 0)',
                    "position": 2,
                },
                {
                    "key": "champion",
                    "label": "Customer champion",
                    "field_type": "text",
                    "help_text": "Who pushes for us inside the account (private).",
                    "position": 3,
                },
            ):
                field_create(
                    actor=owner, company=northwind, data={"object_type": "opportunity", **data}
                )
    bluepeak_owner = Membership.objects.get(company=bluepeak, role=Role.OWNER).user
    with company_schema(bluepeak):
        if not FieldDefinition.objects.filter(key="territory").exists():
            for key, label in (("qualify", "Discovery"), ("propose", "Solutioning")):
                term_update(
                    actor=bluepeak_owner,
                    term=Term.objects.select_related("vocabulary", "parent").get(
                        vocabulary__key="stages", key=key
                    ),
                    data={"label": label},
                )
            territory = field_create(
                actor=bluepeak_owner,
                company=bluepeak,
                data={
                    "object_type": "opportunity",
                    "key": "territory",
                    "label": "Territory",
                    "field_type": "choice",
                    "vocabulary": Vocabulary.objects.get(key="regions"),
                },
            )
            mapping_set(
                actor=bluepeak_owner,
                partner_id=northwind.pk,
                partner_key="region",
                field_id=territory.pk,
            )


def _demo_sharing_load() -> None:
    import datetime
    from decimal import Decimal

    from pipeline.models import Opportunity
    from pipeline.services import opportunity_create, opportunity_publish
    from sharing.models import Partnership, PartnershipStatus
    from sharing.selectors import partnership_open_between
    from sharing.services.comments import comment_add
    from sharing.services.partnerships import partnership_accept, partnership_invite
    from sharing.services.sharing import sharing_entry_set
    from tenants.models import Membership
    from tenants.schemas import company_schema

    companies = {
        c.slug: c for c in Company.objects.filter(slug__in=[d.slug for d in DEMO_COMPANIES])
    }

    def owner_membership(slug: str) -> Membership:
        return Membership.objects.select_related("user", "company").get(
            company=companies[slug], role=Role.OWNER
        )

    for a, b, status in DEMO_PARTNERSHIPS:
        if partnership_open_between(company=companies[a], other=companies[b]) is not None:
            continue
        inviter = owner_membership(a)
        partnership = partnership_invite(
            actor=inviter.user, actor_membership=inviter, partner=companies[b]
        )
        if status == PartnershipStatus.ACTIVE:
            answer = owner_membership(b)
            partnership_accept(actor=answer.user, actor_membership=answer, partnership=partnership)
    assert Partnership.objects.exists()

    for owner, customer, domain, amount, stage, motion, next_step, shares, restricted in DEMO_DEALS:
        membership = owner_membership(owner)
        with company_schema(companies[owner]):
            if Opportunity.objects.filter(customer_name=customer).exists():
                continue
            opportunity = opportunity_create(
                actor=membership.user,
                company=companies[owner],
                data={
                    "customer_name": customer,
                    "customer_domain": domain,
                    "amount": Decimal(amount),
                    "currency": "USD",
                    "close_date": datetime.date.today() + datetime.timedelta(days=60),
                    "stage": stage,
                    "motion": motion,
                    "next_step": next_step,
                    "private_notes": "Internal: margin target 22%. Never shared.",
                    **(
                        {"custom": {"region": DEMO_REGIONS[customer], "champion": "CIO office"}}
                        if owner == "northwind" and customer in DEMO_REGIONS
                        else {}
                    ),
                },
            )
            if not shares:
                continue
            record = opportunity_publish(
                actor=membership.user, company=companies[owner], opportunity=opportunity
            )
            if restricted:
                record.restrict_participants = True
                record.save(update_fields=["restrict_participants"])
            for partner, role in shares:
                sharing_entry_set(
                    actor=membership.user,
                    actor_membership=membership,
                    record=record,
                    partner=companies[partner],
                    role=role,
                )
            comment_add(
                actor=membership.user,
                actor_membership=membership,
                record=record,
                body=f"Kick-off: {next_step or 'let us align on the plan'}.",
            )


# Northwind's own pipeline beyond what it shares: what its dashboard charts are drawn from.
# (customer, amount, stage, region, months until close)
DEMO_PRIVATE_DEALS = (
    ("Adatum Pharma", "210000", "qualify", "amer", 1),
    ("Litware Energy", "320000", "propose", "emea", 2),
    ("Proseware Foods", "95000", "negotiate", "apac", 1),
    ("Wingtip Toys", "40000", "won", "amer", 0),
    ("Coho Winery", "55000", "prospect", "emea", 5),
    ("Alpine Ski House", "150000", "qualify", "emea", 4),
    ("Margie's Travel", "30000", "lost", "apac", 0),
)


def _demo_policies_load() -> None:
    """Northwind's policies: it classifies its partners (Bluepeak an integrator, Harbor a
    reseller), keeps deal amounts from resellers, has big deals approved by an admin (one
    request waits for Sam), and draws its pipeline on the dashboard."""
    import datetime
    from decimal import Decimal

    from approvals.models import ApprovalRule
    from approvals.services import approval_rule_create, share_or_request
    from business.policy import sharing_policy, sharing_policy_update
    from pipeline.models import Opportunity
    from pipeline.services import opportunity_create, opportunity_publish
    from relationships.services import relationship_update
    from reports.models import Metric
    from reports.services import metric_create
    from tenants.schemas import company_schema

    northwind = Company.objects.get(slug="northwind")
    nora = Membership.objects.select_related("company").get(company=northwind, role=Role.OWNER)
    priya = Membership.objects.select_related("company", "user").get(
        company=northwind, user__email="priya@northwind.example"
    )
    partners = {c.slug: c for c in Company.objects.filter(slug__in=["bluepeak", "harbor"])}
    with company_schema(northwind):
        if ApprovalRule.objects.exists():
            return
        for slug, partner_type, notes in (
            ("bluepeak", "system_integrator", "Our main ERP integrator in EMEA."),
            ("harbor", "reseller", "Resells our platform into banks; co-sells security."),
        ):
            relationship_update(
                actor=nora.user,
                actor_membership=nora,
                partner=partners[slug],
                data={"partner_type": partner_type, "notes": notes, "manager_id": priya.user_id},
                expected_version=None,
            )
        policy = sharing_policy()
        sharing_policy_update(
            actor=nora.user,
            company=northwind,
            data={
                "withheld_fields": {
                    **(policy.withheld_fields or {}),
                    "opportunity": {"amount": {"partner_types": ["reseller"]}},
                }
            },
        )
        approval_rule_create(
            actor=nora.user,
            data={
                "name": "Big deals",
                "object_type": "opportunity",
                "min_amount": "250000",
                "currency": "USD",
                "approver_role": "admin",
            },
        )
        today = datetime.date.today()
        for customer, amount, stage, region, months in DEMO_PRIVATE_DEALS:
            if Opportunity.objects.filter(customer_name=customer).exists():
                continue
            opportunity_create(
                actor=priya.user,
                company=northwind,
                data={
                    "customer_name": customer,
                    "amount": Decimal(amount),
                    "currency": "USD",
                    "close_date": today + datetime.timedelta(days=30 * months + 7),
                    "stage": stage,
                    "motion": "sell_with",
                    "custom": {"region": region},
                },
            )
        litware = Opportunity.objects.get(customer_name="Litware Energy")
        share_or_request(
            actor=priya.user,
            actor_membership=priya,
            kind="opportunity",
            source_id=litware.pk,
            title=litware.customer_name,
            publish=lambda: opportunity_publish(
                actor=priya.user, company=northwind, opportunity=litware
            ),
            partner=partners["bluepeak"],
            role="contributor",
            deal_role="fulfilling",
            note="Bluepeak runs the migration; they need the deal in their pipeline.",
        )
        if not Metric.objects.exists():
            for data in (
                {
                    "name": "Pipeline by stage",
                    "measure": "sum",
                    "field": "amount",
                    "group_by": "stage",
                    "chart": "bar",
                },
                {
                    "name": "Weighted pipeline by region",
                    "measure": "sum",
                    "field": "custom.weighted_amount",
                    "group_by": "custom.region",
                    "open_only": True,
                    "chart": "doughnut",
                },
                {
                    "name": "Pipeline by close quarter",
                    "measure": "sum",
                    "field": "amount",
                    "group_by": "close_quarter",
                    "open_only": True,
                    "chart": "line",
                },
                {"name": "Open deals", "measure": "count", "open_only": True},
            ):
                metric_create(actor=nora.user, data={"object_type": "opportunity", **data})

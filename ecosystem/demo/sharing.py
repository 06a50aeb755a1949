"""The partnerships between the demo companies and the deals they share with each other."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ecosystem.demo.companies import DEMO_COMPANIES
from pipeline.models import Opportunity
from pipeline.services import opportunity_create, opportunity_publish
from sharing.collaboration.services.comments import comment_add
from sharing.models import Partnership, PartnershipStatus
from sharing.network.selectors import partnership_open_between
from sharing.network.services.partnerships import partnership_accept, partnership_invite
from sharing.records.services.sharing import sharing_entry_set
from tenants.models import Company, Membership, Role
from tenants.schemas import company_schema

DEMO_PARTNERSHIPS = (
    ("northwind", "bluepeak", "active"),
    ("northwind", "harbor", "active"),
    ("bluepeak", "harbor", "active"),
    ("summit", "northwind", "invited"),
)

DEMO_DEALS = (
    # owner, customer, deal name, domain, amount, stage, motion, next step, [(partner, role)],
    # restricted
    (
        "northwind",
        "Contoso Manufacturing",
        "Contoso — predictive maintenance, 3 plants",
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
        "Fabrikam — fleet telematics pilot",
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
        "Tailspin — store analytics",
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
        "Woodgrove — zero-trust rollout",
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


def demo_sharing_load() -> None:
    """The partnerships (three active, one invitation waiting) and the deals the companies
    share, each with a kick-off comment; existing ones are left alone."""
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

    for (
        owner,
        customer,
        name,
        domain,
        amount,
        stage,
        motion,
        next_step,
        shares,
        restricted,
    ) in DEMO_DEALS:
        membership = owner_membership(owner)
        with company_schema(companies[owner]):
            if Opportunity.objects.filter(customer_name=customer).exists():
                continue
            opportunity = opportunity_create(
                actor=membership.user,
                company=companies[owner],
                data={
                    "name": name,
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

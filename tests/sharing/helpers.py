from __future__ import annotations

import datetime
from decimal import Decimal

from django_tenants.utils import schema_context

from pipeline.models import Opportunity
from pipeline.services import opportunity_create, opportunity_publish
from sharing.models import Partnership, PartnershipStatus, SharedRecord
from tenants.models import Membership
from tests.builders import CompanyWorld

SECRET = "PRIVATE-NOTE-do-not-leak-7f3a"


def partners_make(a: CompanyWorld, b: CompanyWorld) -> Partnership:
    return Partnership.objects.create(
        requester=a.company,
        addressee=b.company,
        status=PartnershipStatus.ACTIVE,
        invited_by=a.owner,
    )


def membership(world: CompanyWorld, user=None) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.objects.get(company=world.company, user=user or world.owner)


def opportunity_make(world: CompanyWorld, **overrides) -> Opportunity:  # type: ignore[no-untyped-def]
    """A deal through the real service. Its `name` is the one given, else the service's
    default, the customer's name (so a deal made without one reads as deals did before
    they had names, and as the customer-named links the browser tests click)."""
    data = {
        "customer_name": "Umbrella Corp",
        "customer_domain": "umbrella.example",
        "amount": Decimal("125000.00"),
        "currency": "USD",
        "close_date": datetime.date(2027, 3, 31),
        "stage": "qualify",
        "motion": "sell_with",
        "next_step": "Joint discovery call",
        "private_notes": SECRET,
        **overrides,
    }
    if "customer_name" in overrides and "customer_domain" not in overrides:
        # another customer: another account (accounts join opportunities by domain)
        data["customer_domain"] = (
            "".join(c for c in overrides["customer_name"].lower() if c.isalnum()) + ".example"
        )
    with schema_context(world.company.schema_name):
        return opportunity_create(actor=world.owner, company=world.company, data=data)


def shared_opportunity_make(world: CompanyWorld, **overrides) -> tuple[Opportunity, SharedRecord]:  # type: ignore[no-untyped-def]
    opportunity = opportunity_make(world, **overrides)
    with schema_context(world.company.schema_name):
        record = opportunity_publish(
            actor=world.owner, company=world.company, opportunity=opportunity
        )
    return opportunity, record


def solution_make(world: CompanyWorld, **overrides):  # type: ignore[no-untyped-def]
    from solutions.services import solution_create

    data = {
        "name": "Predictive maintenance",
        "summary": "Sensors + analytics",
        "industries": ["Manufacturing"],
        "status": "available",
        **overrides,
    }
    with schema_context(world.company.schema_name):
        return solution_create(actor=world.owner, company=world.company, data=data)


def plan_make(world: CompanyWorld):  # type: ignore[no-untyped-def]
    """A marketing plan with one campaign and one task, in `world`'s schema."""
    from marketing.services import campaign_add, plan_create, task_add

    with schema_context(world.company.schema_name):
        plan = plan_create(
            actor=world.owner,
            company=world.company,
            data={
                "name": "FY27 EMEA launch",
                "objective": "500 leads",
                "period_start": datetime.date(2027, 1, 1),
                "period_end": datetime.date(2027, 6, 30),
                "budget": Decimal("80000"),
                "currency": "EUR",
            },
        )
        campaign_add(
            actor=world.owner,
            company=world.company,
            plan=plan,
            data={
                "name": "Webinar series",
                "starts_on": datetime.date(2027, 2, 1),
                "ends_on": datetime.date(2027, 3, 1),
                "target_leads": 200,
                "target_pipeline": Decimal("1000000"),
            },
        )
        task = task_add(
            actor=world.owner,
            company=world.company,
            plan=plan,
            data={"title": "Book speakers", "owner_id": world.member.pk},
        )
    return plan, task

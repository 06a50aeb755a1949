"""Northwind's policies at work: partner classifications, a withheld field, an approval rule
with a request waiting, its private pipeline and the dashboard's metrics."""

from __future__ import annotations

import datetime
from decimal import Decimal

from approvals.models import ApprovalRule
from approvals.services import approval_rule_create, share_or_request
from business.policy import sharing_policy, sharing_policy_update
from partners.relationships.services import relationship_update
from pipeline.models import Opportunity
from pipeline.services import opportunity_create, opportunity_publish
from reports.models import Metric
from reports.services import metric_create
from tenants.models import Company, Membership, Role
from tenants.schemas import company_schema

# Northwind's own pipeline beyond what it shares: what its dashboard charts are drawn from.
# (customer, amount, stage, region, months until close)
DEMO_PRIVATE_DEALS = (
    # customer, deal name, amount, stage, region, months to close
    ("Adatum Pharma", "Adatum — lab data platform", "210000", "qualify", "amer", 1),
    ("Litware Energy", "Litware — grid migration", "320000", "propose", "emea", 2),
    ("Proseware Foods", "Proseware — 400 seats renewal", "95000", "negotiate", "apac", 1),
    ("Wingtip Toys", "Wingtip — holiday peak capacity", "40000", "won", "amer", 0),
    ("Coho Winery", "Coho — vineyard sensors", "55000", "prospect", "emea", 5),
    ("Alpine Ski House", "Alpine — booking system upgrade", "150000", "qualify", "emea", 4),
    ("Margie's Travel", "Margie's — CRM replacement", "30000", "lost", "apac", 0),
)


def demo_policies_load() -> None:
    """Northwind's policies: it classifies its partners (Bluepeak an integrator, Harbor a
    reseller), keeps deal amounts from resellers, has big deals approved by an admin (one
    request waits for Sam), and draws its pipeline on the dashboard."""
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
        for customer, name, amount, stage, region, months in DEMO_PRIVATE_DEALS:
            if Opportunity.objects.filter(customer_name=customer).exists():
                continue
            opportunity_create(
                actor=priya.user,
                company=northwind,
                data={
                    "name": name,
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
            title=litware.title,
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

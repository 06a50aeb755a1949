from __future__ import annotations

from django_tenants.utils import schema_context

from approvals.models import ApprovalRule, ShareRequest
from approvals.services import share_or_request
from pipeline.services import opportunity_publish
from tests.builders import CompanyWorld
from tests.sharing.helpers import membership, opportunity_make


def rule_make(world: CompanyWorld, **fields) -> ApprovalRule:  # type: ignore[no-untyped-def]
    data = {"name": "Every deal", "object_type": "opportunity", **fields}
    with schema_context(world.company.schema_name):
        return ApprovalRule.objects.create(**data)


def share_request_make(world: CompanyWorld, partner: CompanyWorld, **overrides) -> ShareRequest:  # type: ignore[no-untyped-def]
    """A member of `world` asks to share a new opportunity with `partner` under a rule that
    makes every opportunity share wait for an admin."""
    rule_make(world)
    opportunity = opportunity_make(world, **overrides)
    with schema_context(world.company.schema_name):
        request = share_or_request(
            actor=world.member,
            actor_membership=membership(world, world.member),
            kind="opportunity",
            source_id=opportunity.pk,
            title=opportunity.customer_name,
            publish=lambda: opportunity_publish(
                actor=world.member, company=world.company, opportunity=opportunity
            ),
            partner=partner.company,
            role="contributor",
        )
    assert request is not None
    return request

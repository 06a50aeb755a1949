"""Reads of the current company's partner relationships (the connection's schema)."""

from __future__ import annotations

from business.models import Term
from partners.relationships.models import PartnerRelationship
from tenants.models import Company


def relationship_of(*, partner: Company) -> PartnerRelationship:
    """Our record of `partner`; an unsaved blank one until somebody fills it in."""
    found = PartnerRelationship.objects.filter(partner_id=partner.pk).first()
    return found or PartnerRelationship(partner_id=partner.pk)


def relationships_by_partner(*, partner_ids: list[int]) -> dict[int, PartnerRelationship]:
    return {r.partner_id: r for r in PartnerRelationship.objects.filter(partner_id__in=partner_ids)}


def partner_types_of(*, partner_ids: list[int]) -> dict[int, str]:
    """How we classify each partner ("" when we haven't): what the sharing and approval
    policies read."""
    found = dict(
        PartnerRelationship.objects.filter(partner_id__in=partner_ids).values_list(
            "partner_id", "partner_type"
        )
    )
    return {pk: found.get(pk, "") for pk in partner_ids}


def partner_type_terms(*, include_retired: bool = False) -> list[Term]:
    """The company's partner types (its own vocabulary, relabelled and extended by admins)."""
    terms = Term.objects.filter(vocabulary__key="partner_types")
    if not include_retired:
        terms = terms.filter(retired_at__isnull=True)
    return list(terms)

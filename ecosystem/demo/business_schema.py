"""Each demo company shapes its business its own way: Northwind tracks a shared region and a
computed weighted amount; Bluepeak names the stages in its own words and reads Northwind's
region as its territory."""

from __future__ import annotations

from business.mappings import mapping_set
from business.models import FieldDefinition, Term, Vocabulary
from business.services import field_create, term_update
from tenants.models import Company, Membership, Role
from tenants.schemas import company_schema


def demo_business_schema_load() -> None:
    """Northwind's custom fields and Bluepeak's stage names and territory mapping, unless
    they are there already."""
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

from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    """A company's own record of each partner (its schema): how it classifies the partner,
    who manages the relationship, its custom fields and private notes. Never shared."""

    name = "relationships"

    def ready(self) -> None:
        from business.models import ObjectType
        from business.registry import register
        from relationships.models import PartnerRelationship

        register(ObjectType.PARTNER, PartnerRelationship, core_fields=("partner_type",))

from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    """A company's own record of each partner (its schema): how it classifies the partner,
    who manages the relationship, its custom fields and private notes. Never shared."""

    name = "partners.relationships"
    label = "relationships"

    def ready(self) -> None:
        from kinds import kind_register
        from partners.relationships.kind import PARTNER

        kind_register(PARTNER)
        from partners.relationships.selectors import partner_types_of
        from sharing.hooks import on_partner_types

        on_partner_types(lambda partner_ids: partner_types_of(partner_ids=partner_ids))

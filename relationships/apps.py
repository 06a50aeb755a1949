from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    """A company's own record of each partner (its schema): how it classifies the partner,
    who manages the relationship, its custom fields and private notes. Never shared."""

    name = "relationships"

    def ready(self) -> None:
        from kinds import kind_register
        from relationships.kind import PARTNER

        kind_register(PARTNER)

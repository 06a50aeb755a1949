from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    """A company's solutions (its schema): what it builds alone or with partners."""

    name = "solutions"

    def ready(self) -> None:
        from business.models import ObjectType
        from business.registry import register
        from solutions.models import Solution

        register(
            ObjectType.SOLUTION,
            Solution,
            core_fields=("name", "summary", "status", "categories", "industries", "regions"),
        )
        from sharing.kinds import KindHandlers, kind_register
        from sharing.models import RecordKind

        # Solutions are shared read-only: nothing flows back, nothing is adopted.
        kind_register(RecordKind.SOLUTION, KindHandlers(sync_back=lambda record, changes: None))

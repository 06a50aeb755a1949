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
        kind_register(
            RecordKind.SOLUTION,
            KindHandlers(
                sync_back=lambda record, changes: None,
                publish=_publish,
                detail_url_name="solution_detail",
            ),
        )


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    from solutions.selectors import solution_get
    from solutions.services import solution_publish

    return solution_publish(actor=actor, company=company, solution=solution_get(pk=source_id))

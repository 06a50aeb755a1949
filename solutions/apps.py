from django.apps import AppConfig


class SolutionsConfig(AppConfig):
    """A company's solutions (its schema): what it builds alone or with partners."""

    name = "solutions"

    def ready(self) -> None:
        from kinds import kind_register
        from solutions.kind import SOLUTION

        kind_register(SOLUTION)

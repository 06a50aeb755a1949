from django.apps import AppConfig


class MarketingConfig(AppConfig):
    """A company's marketing plans (its schema): objectives, budget, campaigns and tasks."""

    name = "marketing"

    def ready(self) -> None:
        from kinds import kind_register
        from marketing.kind import MARKETING_PLAN

        kind_register(MARKETING_PLAN)

from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """A company's own opportunities, in its schema. Private unless shared."""

    name = "pipeline"

    def ready(self) -> None:
        from accounts.hooks import on_account_changed
        from kinds import kind_register
        from pipeline.account_panel import opportunities_panel
        from pipeline.kind import OPPORTUNITY
        from pipeline.services import opportunities_follow_account
        from recordkit.panels import record_panel_register

        kind_register(OPPORTUNITY)
        on_account_changed(opportunities_follow_account)
        record_panel_register("account", opportunities_panel)

from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """A company's own opportunities, in its schema. Private unless shared."""

    name = "pipeline"

    def ready(self) -> None:
        from kinds import kind_register
        from pipeline.kind import OPPORTUNITY

        kind_register(OPPORTUNITY)

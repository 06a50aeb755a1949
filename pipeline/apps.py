from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """A company's own opportunities, in its schema. Private unless shared."""

    name = "pipeline"

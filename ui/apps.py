from django.apps import AppConfig


class UiConfig(AppConfig):
    """Presentation helpers shared by every page (template tags); no models."""

    name = "ui"

from django.apps import AppConfig


class LensConfig(AppConfig):
    """A company's private lens on the shared records it takes part in (its schema): internal
    comment threads that never leave the company."""

    name = "lens"

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Each company's CRM connections (its schema): connectors, field mappings, governed
    two-way sync, runs, conflicts and dead letters."""

    name = "integrations"

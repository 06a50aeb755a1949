from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Metrics a company admin defines over the company's own records (its schema), drawn as
    charts on the dashboard and the Reports page."""

    name = "reports"

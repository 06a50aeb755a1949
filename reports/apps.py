from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Metrics a company admin defines over the company's own records (its schema), drawn as
    charts on the dashboard and the Reports page."""

    name = "reports"

    def ready(self) -> None:
        from business.configuration.sections import configuration_section_register
        from reports.configuration import SECTION

        configuration_section_register(SECTION)

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Each company's CRM connections (its schema): connectors, field mappings, governed
    two-way sync, runs, conflicts and dead letters."""

    name = "integrations"

    def ready(self) -> None:
        from business.configuration.sections import configuration_section_register
        from integrations.configuration import SECTION
        from integrations.coselling import add_to_crm_actions
        from sharing.hooks import on_record_actions

        on_record_actions(add_to_crm_actions)
        configuration_section_register(SECTION)

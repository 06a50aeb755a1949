from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Each company's CRM connections (its schema): connectors, field mappings, governed
    two-way sync, runs, conflicts and dead letters."""

    name = "integrations"

    def ready(self) -> None:
        from business.configuration.sections import configuration_section_register
        from integrations.configuration import SECTION
        from integrations.coselling import add_to_crm_actions
        from integrations.panels import crm_panel
        from recordkit.panels import record_panel_register
        from sharing.hooks import on_record_actions

        on_record_actions(add_to_crm_actions)
        for kind in ("account", "opportunity"):
            record_panel_register(kind, crm_panel(kind))
        configuration_section_register(SECTION)

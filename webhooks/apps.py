from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Each company's outgoing webhooks (its schema): endpoints subscribed to event types,
    signed per the Standard Webhooks spec, delivered with retries, and logged."""

    name = "webhooks"

    def ready(self) -> None:
        from audit.hooks import on_company_entry_recorded
        from integrations.hooks import on_sync_failing
        from sharing.hooks import on_record_event
        from webhooks.events import audit_entry_heard, record_event_heard, sync_failing_heard

        on_company_entry_recorded(audit_entry_heard)
        on_record_event(record_event_heard)
        on_sync_failing(sync_failing_heard)

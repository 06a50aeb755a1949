"""Celery's autodiscovery imports `<app>.tasks`: sharing's tasks live with their job."""

from sharing.records.tasks import notification_email

__all__ = ["notification_email"]

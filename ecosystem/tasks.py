"""Project-wide tasks that belong to no single app."""

from typing import Any

from django.conf import settings
from django.core.mail import get_connection

from ecosystem.celery import app
from ecosystem.mail import message_from_data


@app.task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_deliver(self, payload: dict[str, Any]) -> None:
    """Hands one queued message to the real mail backend; SMTP hiccups retry with backoff."""
    connection = get_connection(backend=settings.EMAIL_DELIVERY_BACKEND)
    connection.send_messages([message_from_data(payload)])

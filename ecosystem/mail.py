"""E-mail through Celery: the web request only queues; the worker delivers.

Messages are serialised to plain data (not pickled) so the broker can be Redis or the
filesystem transport alike. The worker hands them to EMAIL_DELIVERY_BACKEND."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


def message_to_data(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [list(alt) for alt in getattr(message, "alternatives", [])],
    }


def message_from_data(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


# the name it had when it lived in ecosystem/tasks.py (queued messages carry it)
@shared_task(
    name="ecosystem.tasks.email_deliver",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_deliver(self, payload: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Hands one queued message to the real mail backend; SMTP hiccups retry with backoff."""
    connection = get_connection(backend=settings.EMAIL_DELIVERY_BACKEND)
    connection.send_messages([message_from_data(payload)])


class CeleryEmailBackend(BaseEmailBackend):
    """Queues each message for the worker once the surrounding transaction commits, so a
    rolled-back sign-up never e-mails anybody."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        payloads = [message_to_data(m) for m in email_messages]
        for payload in payloads:
            transaction.on_commit(lambda p=payload: email_deliver.delay(p))
        return len(payloads)

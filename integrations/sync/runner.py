"""The task that runs one sync (late acknowledgement: a worker killed mid-run leaves the
message to be delivered again, and the run resumes from its cursors), and the admins'
notice after repeated failures."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection as db

from integrations.hooks import sync_failing
from integrations.models import Connection
from integrations.sync.engine import sync_run_execute
from tenants.models import Company, Membership
from tenants.schemas import company_schema


def _notify_failing(connection: Connection) -> None:
    """Tells the company's owners and admins (people, not service accounts), and the rooms
    that listen (integrations.hooks: the company's webhooks)."""
    sync_failing(connection)
    company = Company.objects.get(schema_name=db.schema_name)
    emails = list(
        Membership.objects.filter(
            company=company, role__in=["owner", "admin"], user__is_service_account=False
        ).values_list("user__email", flat=True)
    )
    if not emails:
        return
    send_mail(
        subject=f"Your {connection.name} sync keeps failing",
        message=(
            f"The last {connection.consecutive_failures} syncs of “{connection.name}” failed.\n\n"
            f"The last error: {connection.last_error}\n\n"
            "Open Settings → Integrations in Ecosystem Cloud to see the runs and reconnect. "
            "We keep retrying; nothing is lost meanwhile."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=emails,
    )


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def sync_run_task(run_id: str, schema_name: str | None = None) -> None:
    """Runs in the company's schema (the task's schema header; `schema_name` too, for calls
    made outside one). Re-delivered after a crash, it resumes; delivered twice, the second
    finds the run finished or the connection locked and does nothing."""
    if schema_name:
        with company_schema(schema_name):
            sync_run_execute(run_id=run_id, on_failure=_notify_failing)
    else:
        sync_run_execute(run_id=run_id, on_failure=_notify_failing)

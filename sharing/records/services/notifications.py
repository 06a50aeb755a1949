"""Creating and delivering notifications. A notification is only created for someone who can
see its record, and the e-mail is only sent if they still can when the worker runs
(invariant 3: a queued notification re-checks access)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from identity.models import User
from sharing.models import Notification, Participation, SharedRecord
from sharing.records.notification_selectors import may_see_about
from sharing.records.tasks import notification_email
from tenants.models import Company, Membership, Role


def notify(
    *,
    recipients: Iterable[tuple[User, Company]],
    record: SharedRecord | None,
    verb: str,
    message: str,
    url: str,
    exclude: User | None = None,
) -> list[Notification]:
    """Notifies each (user, company) pair that may see the record; queues the e-mails."""
    created = []
    seen: set[tuple[int, int]] = set()
    for user, company in recipients:
        key = (user.pk, company.pk)
        if key in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        if getattr(user, "is_service_account", False):  # an integration reads no inbox
            continue
        seen.add(key)
        if not may_see_about(user, company, record):
            continue
        created.append(
            Notification.objects.create(
                user=user, company=company, record=record, verb=verb, message=message[:300], url=url
            )
        )
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return created


def _queue(ids: list[int]) -> None:
    for pk in ids:
        notification_email.apply_async(args=[pk], headers={"_schema_name": "public"})


def notifications_mark_read(
    *, user: User, company: Company, ids: Iterable[int] | None = None
) -> int:
    qs = Notification.objects.filter(user=user, company=company, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notify_stage_change(
    *, record: SharedRecord, actor: User | None, before: str, after: str
) -> None:
    """Tells each participant's contact (and the owner's admins) that the stage moved."""
    recipients = [
        (p.contact, p.company)
        for p in Participation.objects.filter(record=record, contact__isnull=False).select_related(
            "contact", "company"
        )
    ]
    recipients += [
        (m.user, m.company)
        for m in Membership.objects.filter(
            company_id=record.owner_id, role__in=[Role.OWNER, Role.ADMIN]
        ).select_related("user", "company")
    ]
    notify(
        recipients=recipients,
        record=record,
        verb="record.stage_changed",
        message=f"“{record.title}” moved from {before or '—'} to {after}",
        url=f"/shared/{record.pk}/",
        exclude=actor,
    )

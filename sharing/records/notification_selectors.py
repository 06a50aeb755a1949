"""A person's notifications, read through the access function (invariant 3): a notification
about a record the reader can no longer see (unshared, partnership ended, left the company)
is not shown, not counted and not linked — its text names the record."""

from django.db.models import Q, QuerySet

from sharing.models import Notification, SharedRecord
from sharing.records.access import shared_records_visible_to
from tenants.models import Company, Membership


def _readable(*, user, company) -> QuerySet[Notification]:  # type: ignore[no-untyped-def]
    visible = shared_records_visible_to(user=user, company=company).values("pk")
    return Notification.objects.filter(user=user, company=company).filter(
        Q(record__isnull=True) | Q(record_id__in=visible)
    )


def notifications_of(*, user, company, limit: int = 50) -> QuerySet[Notification]:  # type: ignore[no-untyped-def]
    return _readable(user=user, company=company)[:limit]


def unread_count(*, user, company) -> int:  # type: ignore[no-untyped-def]
    return _readable(user=user, company=company).filter(read_at__isnull=True).count()


def may_see_about(user, company: Company, record: SharedRecord | None) -> bool:  # type: ignore[no-untyped-def]
    """Whether `user` may be told about `record` as a member of `company` (asked when a
    notification is made and again when its e-mail goes out)."""
    if not Membership.objects.filter(user=user, company=company).exists():
        return False
    if record is None:
        return True
    return shared_records_visible_to(user=user, company=company).filter(pk=record.pk).exists()


def notification_deliverable(notification: Notification) -> bool:
    return may_see_about(notification.user, notification.company, notification.record)

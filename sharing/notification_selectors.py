from django.db.models import QuerySet

from sharing.models import Notification


def notifications_of(*, user, company, limit: int = 50) -> QuerySet[Notification]:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(user=user, company=company)[:limit]


def unread_count(*, user, company) -> int:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(user=user, company=company, read_at__isnull=True).count()

from celery import shared_task
from django.core.mail import send_mail
from django.utils import timezone

from sharing.models import Notification
from sharing.records.notification_selectors import notification_deliverable
from tenants.domains import company_url


# the name it had before sharing was split by job (queued messages carry it)
@shared_task(name="sharing.tasks.notification_email", ignore_result=True)
def notification_email(notification_id: int) -> bool:
    """E-mails one notification, if its person may still see what it is about."""
    notification = (
        Notification.objects.select_related("user", "company", "record")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    if not notification_deliverable(notification):
        return False
    send_mail(
        subject=notification.message,
        message=f"{notification.message}\n\nOpen it: {company_url(notification.company.slug, notification.url)}\n",
        from_email=None,
        recipient_list=[notification.user.email],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True

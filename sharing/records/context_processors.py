from django.conf import settings
from django.http import HttpRequest

from sharing.records.notification_selectors import unread_count


def notifications(request: HttpRequest) -> dict:
    """The header's bell: how many notifications the person has not read in this company
    (lazily counted, through the access function)."""
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)

    def unread() -> int:
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return 0
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user=user, company=tenant)

    return {"unread_notifications": unread}

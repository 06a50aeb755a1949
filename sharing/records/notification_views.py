from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sharing.records.notification_selectors import notifications_of
from sharing.records.services.notifications import notifications_mark_read


def notification_list(request: HttpRequest) -> HttpResponse:
    items = list(notifications_of(user=request.user, company=request.tenant))
    return render(request, "notifications/list.html", {"items": items})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user, company=request.tenant)
    return redirect("notification_list")

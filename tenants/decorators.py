"""View decorators about membership in the company whose host a request is on."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest
from django.shortcuts import render


def admin_only_response(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The page a member gets for an admin's page or action (after an object route has looked
    its object up: another company's id is a 404 for everyone, whatever their role)."""
    return render(request, "workspace/admin_only.html", status=403)


def admin_required(view):  # type: ignore[no-untyped-def]
    """Company configuration is for its admins and owners; other members get a page that says
    so (403: they are members, so the page is theirs to know about)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not request.membership.is_admin:
            return admin_only_response(request)
        return view(request, *args, **kwargs)

    return wrapped

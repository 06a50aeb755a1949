"""Forms whose answer shows something once (a new token): reloading that answer sends the
form again, which would make a second token or rotate the one just copied. Such a form carries
a one-time value; the session remembers the last ones it sent."""

from __future__ import annotations

import secrets

from django.http import HttpRequest

SENT_KEY = "one_time_forms_sent"


def form_once_value() -> str:
    """The value for the page being rendered (kept nowhere until the form comes back, so
    showing a page writes nothing)."""
    return secrets.token_urlsafe(12)


def form_resent(request: HttpRequest) -> bool:
    """Whether this POST repeats one already answered. A POST without the value (a script,
    an older page) is not a repeat."""
    value = request.POST.get("once", "")[:64]
    if not value:
        return False
    sent = request.session.get(SENT_KEY, [])
    if value in sent:
        return True
    request.session[SENT_KEY] = [*sent[-19:], value]
    return False

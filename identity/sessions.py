"""A person's browser sessions, one per host: recording them, listing them and ending them.

Sessions live in Django's session store (cached_db: the cache in front of the database). A
UserSession row names each signed-in one with its host's company and how it was signed in, so
that ending "this member's sessions at Acme" or "every password session at Acme" deletes
exactly those from the store, cache included; the next request of that browser is anonymous."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import audit_event_record
from identity.models import User, UserSession
from identity.models.sessions import AuthMethod

# The session keys identity keeps in each session.
AUTH_KEY = "eco_auth"  # {"method": AuthMethod, "provider": SSO provider id or ""}
SEEN_EVERY = timedelta(minutes=5)


def session_auth_mark(request: HttpRequest, *, method: str, provider: str = "") -> None:
    """Says how the session that was just signed in got there (read by enforcement)."""
    request.session[AUTH_KEY] = {"method": AuthMethod(method).value, "provider": provider}


def session_auth_of(request: HttpRequest) -> dict[str, Any]:
    return request.session.get(AUTH_KEY) or {"method": AuthMethod.PASSWORD, "provider": ""}


def _seen_key(session_key: str) -> str:
    return f"network:session-seen:{session_key}"


def session_record(request: HttpRequest, *, company_id: int | None) -> None:
    """Keeps the UserSession row of a signed-in request: one upsert on the session's first
    signed-in request (the key changes at every sign-in), then at most one touch every five
    minutes; in between, a cache read is all it costs (network-wide key, tenants.cache)."""
    key = request.session.session_key
    if key is None:
        return  # force_login-style sessions are saved with a key; nothing to name yet
    if cache.get(_seen_key(key)):
        return
    auth = session_auth_of(request)
    now = timezone.now()
    UserSession.objects.bulk_create(
        [
            UserSession(
                session_key=key,
                user=request.user,
                company_id=company_id,
                auth_method=auth["method"],
                sso_provider=auth.get("provider") or "",
                ip_address=request.META.get("REMOTE_ADDR") or None,
                user_agent=(request.headers.get("User-Agent") or "")[:300],
                last_seen_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["session_key"],
        update_fields=["last_seen_at"],
    )
    cache.set(_seen_key(key), 1, timeout=int(SEEN_EVERY.total_seconds()))


def session_forget(request: HttpRequest) -> None:
    """Drops the row of the session that is signing out (the store deletes the session)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def sessions_purge() -> int:
    """Deletes the rows of sessions that expired or vanished from the store without signing
    out (Django's clearsessions removes the sessions themselves)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    deleted, _ = UserSession.objects.exclude(session_key__in=live).delete()
    return deleted


def sessions_of_user(*, user: User, company_id: int | None) -> QuerySet[UserSession]:
    """A person's sessions on one host (company_id None: the network's own host)."""
    return UserSession.objects.filter(user=user, company_id=company_id)


def session_get_of_user(*, user: User, company_id: int | None, pk: Any) -> UserSession | None:
    return sessions_of_user(user=user, company_id=company_id).filter(pk=pk).first()


def _store_delete(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


def _end(rows: QuerySet[UserSession]) -> int:
    """Deletes the sessions from the store in the caller's transaction: if it rolls back, the
    database rows come back and the cache, missing them, reads them from the database again
    (the store's cache keys are network-wide, tenants.cache, so any host finds them)."""
    keys = list(rows.values_list("session_key", flat=True))
    if not keys:
        return 0
    UserSession.objects.filter(session_key__in=keys).delete()
    _store_delete(keys)
    cache.delete_many([_seen_key(k) for k in keys])
    return len(keys)


def sessions_end(
    *,
    user: User,
    company_id: int | None = None,
    everywhere: bool = False,
    keep_key: str | None = None,
) -> int:
    """Ends a person's sessions on one company's host (company_id; None is the network's
    host) or, with `everywhere`, on every host, except the session `keep_key`. Returns how
    many ended."""
    rows = UserSession.objects.filter(user=user)
    if not everywhere:
        rows = rows.filter(company_id=company_id)
    if keep_key:
        rows = rows.exclude(session_key=keep_key)
    return _end(rows)


def sessions_end_for_company(
    *, company_id: int, except_method: str | None = None, keep_users: list[int] | None = None
) -> int:
    """Ends the sessions on a company's host, except those signed in by `except_method` and
    those of `keep_users` (SSO enforcement keeps SSO sessions and the break-glass owners')."""
    rows = UserSession.objects.filter(company_id=company_id)
    if except_method:
        rows = rows.exclude(auth_method=except_method)
    if keep_users:
        rows = rows.exclude(user_id__in=keep_users)
    return _end(rows)


def session_end_one(*, session: UserSession) -> None:
    """Ends one session (a person signing out a device of theirs)."""
    _end(UserSession.objects.filter(pk=session.pk))


def member_sessions_end(*, actor: User, membership: Any, keep_key: str | None = None) -> int:
    """An admin signs a member out of the company on every device (their sessions on its
    host; the session `keep_key` stays, when admins sign out themselves). Audited."""
    with transaction.atomic():
        ended = sessions_end(
            user=membership.user, company_id=membership.company_id, keep_key=keep_key
        )
        audit_event_record(
            actor=actor,
            company=membership.company,
            action=AuditAction.MEMBERSHIP_SIGNED_OUT,
            target=membership,
            after={"user": membership.user.email, "sessions_ended": ended},
        )
    return ended

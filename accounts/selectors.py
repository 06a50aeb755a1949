"""Reads of a company's own accounts (the current schema)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Account

SORTS = {
    "name": "Name (A–Z)",
    "-name": "Name (Z–A)",
    "-updated_at": "Recently updated",
    "-created_at": "Newest",
}


def accounts_of_company(
    *,
    query: str = "",
    industry: str = "",
    region: str = "",
    include_archived: bool = False,
    sort: str = "name",
) -> QuerySet[Account]:
    qs = Account.objects.all() if include_archived else Account.objects.filter(archived_at=None)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(domains__contains=[query.lower()]))
    if industry:
        qs = qs.filter(industry=industry)
    if region:
        qs = qs.filter(region=region)
    return qs.order_by(sort if sort in SORTS else "name", "pk")


def account_get(*, pk: uuid.UUID | str) -> Account:
    """Runs in the company's schema, so another company's account simply isn't there: 404."""
    try:
        return Account.objects.get(pk=pk)
    except (Account.DoesNotExist, ValueError, ValidationError) as exc:  # malformed id = missing
        raise Http404("No such account.") from exc


def account_by_domain(*, domain: str, exclude_pk: uuid.UUID | None = None) -> Account | None:
    """The open account that owns a (normalised) domain."""
    qs = Account.objects.filter(archived_at=None, domains__contains=[domain])
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def account_by_name(*, name: str) -> Account | None:
    """An open account of exactly this name (case aside), for a customer typed without a
    domain; the oldest if several."""
    return (
        Account.objects.filter(archived_at=None, name__iexact=name.strip())
        .order_by("created_at")
        .first()
    )

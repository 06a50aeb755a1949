"""Reads of a company's internal notes on the shared records it takes part in (its schema)."""

from __future__ import annotations

from identity.models import User
from sharing.lens.models import InternalComment


def internal_comments_of(*, record) -> list:  # type: ignore[no-untyped-def]
    """The current company's internal thread on a record (the current schema)."""
    comments = list(InternalComment.objects.filter(record_id=record.pk))
    authors = {u.pk: u for u in User.objects.filter(pk__in={c.author_id for c in comments})}
    for c in comments:
        c.author_user = authors.get(c.author_id)
    return comments

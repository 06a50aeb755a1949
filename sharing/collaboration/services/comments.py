"""Comments on shared records: the shared thread (network) and each company's internal thread
(its own schema). @mentions notify people who can read the comment, and only them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from identity.models import User
from sharing.lens.models import InternalComment
from sharing.models import Comment, Participation, SharedRecord
from sharing.records.access import shared_records_visible_to
from sharing.records.services.activity import activity_record
from sharing.records.services.notifications import notify
from tenants.models import Company, Membership

MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _require_visible(actor: User, membership: Membership, record: SharedRecord) -> None:
    if (
        not shared_records_visible_to(user=actor, company=membership.company)
        .filter(pk=record.pk)
        .exists()
    ):
        raise Http404("No such record.")


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write something before posting.")
    if len(body) > 5000:
        raise ValidationError("Comments can be at most 5,000 characters.")
    return body


def comment_reader_companies(record: SharedRecord, author_company: Company) -> list[int]:
    """Companies whose people can read a comment by `author_company` on `record`."""
    on_list = set(Participation.objects.filter(record=record).values_list("company_id", flat=True))
    on_list.add(record.owner_id)
    if record.restrict_participants:
        return [c for c in on_list if c in (record.owner_id, author_company.pk)]
    return sorted(on_list)


def _mentioned(body: str, company_ids: list[int]) -> list[tuple[User, Company]]:
    emails = {m.lower() for m in MENTION.findall(body)}
    if not emails:
        return []
    rows = Membership.objects.filter(
        user__email__in=emails, company_id__in=company_ids
    ).select_related("user", "company")
    return [(m.user, m.company) for m in rows]


def comment_add(
    *, actor: User, actor_membership: Membership, record: SharedRecord, body: str
) -> Comment:
    _require_visible(actor, actor_membership, record)
    body = _clean_body(body)
    company = actor_membership.company
    readers = comment_reader_companies(record, company)
    mentioned = _mentioned(body, readers)
    with transaction.atomic():
        comment = Comment.objects.create(
            record=record,
            company=company,
            author=actor,
            body=body,
            mentions=[u.pk for u, _ in mentioned],
        )
        activity_record(
            record=record,
            company=company,
            actor=actor,
            verb="comment.added",
            data={"comment_id": str(comment.pk)},
        )
        followers = [
            (c.author, c.company)
            for c in Comment.objects.filter(record=record, company_id__in=readers)
            .exclude(author=None)
            .select_related("author", "company")
        ]
        url = f"/shared/{record.pk}/#comment-{comment.pk}"
        notify(
            recipients=mentioned,
            record=record,
            verb="comment.mention",
            message=f"{actor.get_full_name()} mentioned you on “{record.title}”",
            url=url,
            exclude=actor,
        )
        notify(
            recipients=[f for f in followers if f[0].pk not in {u.pk for u, _ in mentioned}],
            record=record,
            verb="comment.added",
            message=f"{actor.get_full_name()} commented on “{record.title}”",
            url=url,
            exclude=actor,
        )
    return comment


def internal_comment_add(
    *, actor: User, actor_membership: Membership, record: SharedRecord, body: str
):  # type: ignore[no-untyped-def]
    """A comment only the actor's company sees; stored in its own schema (the current one)."""
    _require_visible(actor, actor_membership, record)
    body = _clean_body(body)
    company = actor_membership.company
    mentioned = _mentioned(body, [company.pk])
    with transaction.atomic():
        comment = InternalComment.objects.create(record_id=record.pk, author_id=actor.pk, body=body)
        notify(
            recipients=mentioned,
            record=record,
            verb="comment.mention",
            message=f"{actor.get_full_name()} mentioned you in an internal note on “{record.title}”",
            url=f"/shared/{record.pk}/#internal",
            exclude=actor,
        )
    return comment

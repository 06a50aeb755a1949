"""Reads of a shared record as one viewer sees it: its sharing list, the participants' sections,
its activity and its comments, each filtered by the record's visibility and the viewer's
withheld fields."""

from __future__ import annotations

from functools import lru_cache

from identity.models import User
from sharing.models import (
    ActivityEvent,
    Comment,
    Participation,
    SharedRecordGroupPermission,
    SharedRecordUserPermission,
    role_from_codenames,
)
from sharing.records.access import sharing_codenames
from sharing.records.withholding import changes_without
from tenants.models import Company


def company_columns(prefix: str) -> tuple[str, ...]:
    """What a record page shows of a related company; loading only these keeps the joins'
    SQL and row building small on pages that list many participants."""
    return (f"{prefix}__id", f"{prefix}__name", f"{prefix}__slug")


def person_columns(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}__id", f"{prefix}__full_name", f"{prefix}__email")


@lru_cache(maxsize=1)
def _entry_rows_sql() -> str:
    """Both kinds of entry rows of a record (whole company, named people) as one UNION ALL:
    company id, name, slug, permission id, added at, added by id/name/e-mail, named user
    id/name/e-mail (NULL on whole-company rows). Written out because the ORM took ~3 ms to
    compose the same union on every record page (docs/benchmarks.md)."""
    company, user = Company._meta.db_table, User._meta.db_table
    group, named = (
        SharedRecordGroupPermission._meta.db_table,
        SharedRecordUserPermission._meta.db_table,
    )
    return f"""
        SELECT g.company_id, c.name, c.slug, g.permission_id, g.added_at, g.added_by_id,
               a.full_name, a.email, NULL::bigint, NULL::varchar, NULL::varchar
          FROM {group} g JOIN {company} c ON c.id = g.company_id
          LEFT JOIN {user} a ON a.id = g.added_by_id
         WHERE g.content_object_id = %(record)s
        UNION ALL
        SELECT u.company_id, c.name, c.slug, u.permission_id, u.added_at, u.added_by_id,
               a.full_name, a.email, u.user_id, n.full_name, n.email
          FROM {named} u JOIN {company} c ON c.id = u.company_id
          LEFT JOIN {user} a ON a.id = u.added_by_id
          JOIN {user} n ON n.id = u.user_id
         WHERE u.content_object_id = %(record)s
    """  # noqa: S608 (table names from the models; the record id is a parameter)


def _entry_rows(record) -> list[tuple]:  # type: ignore[no-untyped-def]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_entry_rows_sql(), {"record": record.pk})
        return cursor.fetchall()


def _person(pk: int | None, full_name: str | None, email: str | None):  # type: ignore[no-untyped-def]
    return None if pk is None else User(pk=pk, full_name=full_name or "", email=email or "")


def sharing_list_and_role(
    *, record, viewer_company: Company, viewer_is_owner: bool, viewer=None
) -> tuple[list[dict], str | None]:  # type: ignore[no-untyped-def]
    """The sharing list as people read it (one row per company, owner first: its role, the
    named people if the entry names any, who added it when) and, from the same rows, the
    viewer's own role. With restricted participant visibility a participant sees only the
    owner and itself. One query, whatever the list's length."""
    rows: dict[int, dict] = {}
    viewer_codenames: set[str] = set()
    codename = sharing_codenames()
    for (
        company_id,
        company_name,
        company_slug,
        permission_id,
        added_at,
        added_by_id,
        added_by_name,
        added_by_email,
        named_id,
        named_name,
        named_email,
    ) in _entry_rows(record):
        row = rows.setdefault(
            company_id,
            {
                "company": Company(pk=company_id, name=company_name, slug=company_slug),
                "codenames": set(),
                "people": [],
            },
        )
        row["codenames"].add(codename[permission_id])
        row.update(added_by=_person(added_by_id, added_by_name, added_by_email), added_at=added_at)
        if named_id is not None and all(p.pk != named_id for p in row["people"]):
            row["people"].append(_person(named_id, named_name, named_email))
        if company_id == viewer_company.pk and (
            named_id is None or (viewer is not None and named_id == viewer.pk)
        ):
            viewer_codenames.add(codename[permission_id])
    entries = [
        {**row, "role": role_from_codenames(row.pop("codenames"))}
        for row in sorted(rows.values(), key=lambda r: r["company"].name)
    ]
    if record.restrict_participants and not viewer_is_owner:
        entries = [e for e in entries if e["company"].pk == viewer_company.pk]
    role = "owner" if viewer_is_owner else role_from_codenames(viewer_codenames)
    return [{"company": record.owner, "role": "owner", "people": []}, *entries], role


def sharing_list_of(*, record, viewer_company: Company, viewer_is_owner: bool) -> list[dict]:  # type: ignore[no-untyped-def]
    return sharing_list_and_role(
        record=record, viewer_company=viewer_company, viewer_is_owner=viewer_is_owner
    )[0]


def participations_visible(*, record, viewer_company: Company, viewer_is_owner: bool) -> list:  # type: ignore[no-untyped-def]
    rows = list(
        Participation.objects.filter(record=record)
        .select_related("company", "contact")
        .only(
            *(f.attname for f in Participation._meta.concrete_fields),
            *company_columns("company"),
            *person_columns("contact"),
        )
        .order_by("company__name")
    )
    if record.restrict_participants and not viewer_is_owner:
        rows = [r for r in rows if r.company_id in (record.owner_id, viewer_company.pk)]
    rows.sort(key=lambda r: (r.company_id != record.owner_id, r.company.name))
    return rows


def activity_readable_by(*, record, company_id: int, event_company_id: int, data: dict) -> bool:  # type: ignore[no-untyped-def]
    """Whether a company that reads `record` may read one event of its feed (by the company
    whose person caused it, with its data): under restricted visibility a participant reads only
    the owner's and its own events, and none that name another partner."""
    if not record.restrict_participants or company_id == record.owner_id:
        return True
    return event_company_id in (record.owner_id, company_id) and (
        data.get("partner_id", company_id) == company_id
    )


def activity_visible(
    *,
    record,
    viewer_company: Company,
    viewer_is_owner: bool,
    limit: int = 50,
    withheld: list[str] | None = None,
) -> list:  # type: ignore[no-untyped-def]
    """The feed, newest first. Under restricted visibility a participant sees only the owner's
    and its own events, and none that name another partner. Values of fields withheld from
    the viewer (`withheld`) are left out of the events' before/after."""
    events = list(
        ActivityEvent.objects.filter(record=record)
        .select_related("company", "actor")
        .only(
            *(f.attname for f in ActivityEvent._meta.concrete_fields),
            *company_columns("company"),
            *person_columns("actor"),
        )[:limit]
    )
    if record.restrict_participants and not viewer_is_owner:
        events = [
            e
            for e in events
            if activity_readable_by(
                record=record,
                company_id=viewer_company.pk,
                event_company_id=e.company_id,
                data=e.data,
            )
        ]
    if withheld and not viewer_is_owner:
        for event in events:
            event.data = changes_without(event.data, withheld)
    return events


def comments_visible(*, record, viewer_company: Company, viewer_is_owner: bool) -> list:  # type: ignore[no-untyped-def]
    qs = (
        Comment.objects.filter(record=record)
        .select_related("author", "company")
        .only(
            *(f.attname for f in Comment._meta.concrete_fields),
            *company_columns("company"),
            *person_columns("author"),
        )
    )
    if record.restrict_participants and not viewer_is_owner:
        qs = qs.filter(company_id__in=[record.owner_id, viewer_company.pk])
    return list(qs)

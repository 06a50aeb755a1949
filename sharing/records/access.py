"""THE access function (invariant 2). Every page, API endpoint, export, search, notification
and background job that reads shared records builds its queryset here.

A user, working as a member of `company`, may read a shared record iff
  - `company` owns it, or
  - `company`'s members group holds view permission on it (the whole company is on the list), or
  - the user holds view permission on it on behalf of `company` (named on the list),
and the user is (still) a member of `company`. Anything else is invisible: callers answer 404.

What acts for a company as a whole rather than for one of its people (its webhooks) reads by
the same rule without the named entries: the records the company owns and those whose list
holds the whole company (`shared_records_visible_to_company`); an entry naming some of its
people is theirs, not the company's."""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from identity.models import User
from sharing.models import (
    Participation,
    SharedRecord,
    SharedRecordGroupPermission,
    SharedRecordUserPermission,
    SharingRole,
    role_from_codenames,
)
from sharing.records.withholding import ViewerPayloadIterable, payload_without
from tenants.models import Company, CompanyStatus, Membership
from ui.pagination import MAX_PAGE

OWNER = "owner"
# What an inbox row shows; the rest of a record is loaded on its own page.
INBOX_FIELDS = (
    "id",
    "kind",
    "owner",
    "title",
    "stage",
    "payload",
    "version",
    "restrict_participants",
    "created_at",
    "last_activity_at",
    "archived_at",
)


@lru_cache(maxsize=8)
def permission_id(codename: str) -> int:
    return Permission.objects.get(content_type__app_label="sharing", codename=codename).pk


@lru_cache(maxsize=1)
def sharing_codenames() -> dict[int, str]:
    """Permission id → codename for shared records; lets the sharing list skip a join."""
    return dict(
        Permission.objects.filter(content_type__app_label="sharing").values_list("pk", "codename")
    )


def _entries(*, user: User, company: Company, codename: str) -> tuple[QuerySet, QuerySet]:
    """The sharing entries that give `user`, working for `company`, this permission: the
    company's own (whole-company entries) and the user's (named entries)."""
    perm = permission_id(codename)
    return (
        SharedRecordGroupPermission.objects.filter(company=company, permission_id=perm),
        SharedRecordUserPermission.objects.filter(company=company, user=user, permission_id=perm),
    )


def _entry_ids(*, user: User, company: Company, codename: str) -> QuerySet:
    """Ids of records whose list has `company` (whole) or `user` named for `company`."""
    by_company, by_name = _entries(user=user, company=company, codename=codename)
    return by_company.values("content_object_id").union(by_name.values("content_object_id"))


def _as_seen_by(qs: QuerySet[SharedRecord], company: Company) -> QuerySet[SharedRecord]:
    """Every record this queryset yields reads as `company` may read it: the fields the
    owner's policy withholds from `company` are gone from its payload (sharing.records.withholding)."""
    qs = qs.annotate(
        viewer_withheld=Subquery(
            Participation.objects.filter(record=OuterRef("pk"), company=company).values("withheld")[
                :1
            ]
        )
    )
    qs._iterable_class = ViewerPayloadIterable  # kept by every clone of the queryset
    return qs


def shared_records_visible_to(*, user: User, company: Company) -> QuerySet[SharedRecord]:
    # One shape for every caller: id IN (owned ∪ listed), which PostgreSQL answers with a
    # semi-join from the permission indexes (an OR of correlated EXISTS would scan every
    # record; see docs/benchmarks.md).
    if not user.is_authenticated:
        return SharedRecord.objects.none()
    is_member = Membership.objects.filter(user=user, company=company)
    owned = SharedRecord.objects.filter(owner=company).values("id")
    return _as_seen_by(
        SharedRecord.objects.filter(
            Exists(is_member),
            pk__in=owned.union(
                _entry_ids(user=user, company=company, codename="view_sharedrecord")
            ),
        ),
        company,
    )


def shared_records_shared_with(*, user: User, company: Company) -> QuerySet[SharedRecord]:
    """Visible records that partners own (the "Shared with me" inbox)."""
    if not user.is_authenticated:
        return SharedRecord.objects.none()
    is_member = Membership.objects.filter(user=user, company=company)
    return _as_seen_by(
        SharedRecord.objects.filter(
            Exists(is_member),
            pk__in=_entry_ids(user=user, company=company, codename="view_sharedrecord"),
        ).exclude(owner=company),
        company,
    )


def shared_records_visible_to_company(*, company: Company) -> QuerySet[SharedRecord]:
    """The records `company` reads as a whole (owned ∪ whole-company entries), as it may read
    them (withheld fields stripped); nothing for a company that is not active."""
    if company.status != CompanyStatus.ACTIVE:
        return SharedRecord.objects.none()
    owned = SharedRecord.objects.filter(owner=company).values("id")
    listed = SharedRecordGroupPermission.objects.filter(
        company=company, permission_id=permission_id("view_sharedrecord")
    ).values("content_object_id")
    return _as_seen_by(SharedRecord.objects.filter(pk__in=owned.union(listed)), company)


def companies_reading_record(*, record_id: uuid.UUID | str) -> list[Company]:
    """The active companies that read the record as a whole, by the rule above from the
    record's side: its owner, and every company whose whole company is on its list."""
    listed = SharedRecordGroupPermission.objects.filter(
        content_object_id=record_id, permission_id=permission_id("view_sharedrecord")
    ).values("company_id")
    owner = SharedRecord.objects.filter(pk=record_id).values("owner_id")
    return list(
        Company.objects.filter(status=CompanyStatus.ACTIVE).filter(
            Q(pk__in=listed) | Q(pk__in=owner)
        )
    )


def shared_record_outline_unscoped(*, record_id: uuid.UUID | str) -> dict | None:
    """What a company just taken off a record's list may still be told about it, whatever the
    access function says now: its id, kind, title and owner — what it read while it was on the
    list. Only for telling that company it lost the record (its webhooks' record.unshared)."""
    record = (
        SharedRecord.objects.filter(pk=record_id)
        .select_related("owner")
        .only("id", "kind", "title", "owner__name", "owner__slug")
        .first()
    )
    if record is None:
        return None
    return {
        "id": str(record.pk),
        "kind": record.kind,
        "title": record.title,
        "owner": {"name": record.owner.name, "slug": record.owner.slug},
    }


@lru_cache(maxsize=1)
def _one_visible_sql() -> str:
    """The access rule above for one record by id, as one statement: the same three ways in
    (owner, company entry, named entry) and the same membership condition, with the owner's
    columns and the viewer's withheld fields. Every page and API call about one record runs
    it; the ORM spent ~4 ms composing the queryset form of it for each request (measured in
    docs/benchmarks.md), this costs ~0.3 ms. A test holds it to the queryset form."""
    record, company = SharedRecord._meta, Company._meta
    group, named = SharedRecordGroupPermission._meta, SharedRecordUserPermission._meta
    owner_columns = ", ".join(
        f'o."{f.column}" AS "owner__{f.attname}"' for f in company.concrete_fields
    )
    record_columns = ", ".join(f'r."{f.column}"' for f in record.concrete_fields)
    return f"""
        SELECT {record_columns}, {owner_columns},
               (SELECT p.withheld FROM {Participation._meta.db_table} p
                 WHERE p.record_id = r.id AND p.company_id = %(company)s) AS viewer_withheld
          FROM {record.db_table} r JOIN {company.db_table} o ON o.id = r.owner_id
         WHERE r.id = %(pk)s
           AND EXISTS (SELECT 1 FROM {Membership._meta.db_table} m
                        WHERE m.user_id = %(user)s AND m.company_id = %(company)s)
           AND (r.owner_id = %(company)s
                OR EXISTS (SELECT 1 FROM {group.db_table} g
                            WHERE g.content_object_id = r.id AND g.company_id = %(company)s
                              AND g.permission_id = %(perm)s)
                OR EXISTS (SELECT 1 FROM {named.db_table} u
                            WHERE u.content_object_id = r.id AND u.company_id = %(company)s
                              AND u.user_id = %(user)s AND u.permission_id = %(perm)s))
    """  # noqa: S608 (table and column names from the models; values are parameters)


def shared_record_get_for_actor(
    *, user: User, company: Company, pk: uuid.UUID | str
) -> SharedRecord:
    """The record `pk` if `user`, working for `company`, may read it (as it may read it: the
    fields withheld from `company` are gone); Http404 for missing, invisible and malformed."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError as exc:  # a malformed id is just missing
        raise Http404("No such record.") from exc
    if not user.is_authenticated:
        raise Http404("No such record.")
    params = {
        "pk": pk,
        "company": company.pk,
        "user": user.pk,
        "perm": permission_id("view_sharedrecord"),
    }
    record = next(iter(SharedRecord.objects.raw(_one_visible_sql(), params)), None)
    if record is None:
        raise Http404("No such record.")
    owner = Company(
        **{f.attname: getattr(record, f"owner__{f.attname}") for f in Company._meta.concrete_fields}
    )
    owner._state.adding, owner._state.db = False, record._state.db
    record.owner = owner
    if record.viewer_withheld:
        record.payload = payload_without(record.payload, record.viewer_withheld)
    return record


def owned_shared_record(*, company: Company, shared_record_id) -> SharedRecord | None:  # type: ignore[no-untyped-def]
    """The owner's door: the network copy of one of `company`'s own records, or None when the
    record was never shared or is not the company's. Pages about a record the company owns
    (its sharing panel, "view as", a part in the deal) read its sharing state here."""
    if not shared_record_id:
        return None
    return SharedRecord.objects.filter(pk=shared_record_id, owner=company).first()


def participations_of_owned_record(*, record: SharedRecord) -> dict[int, Participation]:
    """Every participant's section on a record the viewer owns, by company id (the owner sees
    each part in the deal, who set it and what its policy withholds)."""
    return {
        p.company_id: p
        for p in Participation.objects.filter(record=record).only(
            "company_id", "deal_role", "deal_role_set_by_owner", "withheld"
        )
    }


def owned_records_shared_with_count(*, owner: Company, partner: Company) -> int:
    """How many of `owner`'s records `partner` takes part in (the partner's page)."""
    return Participation.objects.filter(record__owner=owner, company=partner).count()


def role_on_record(*, user: User, company: Company, record: SharedRecord) -> str | None:
    """owner / manager / contributor / viewer, or None if not on the list (one query)."""
    if record.owner_id == company.pk:
        return OWNER
    by_company = SharedRecordGroupPermission.objects.filter(
        content_object=record, company=company
    ).values_list("permission__codename", flat=True)
    by_name = SharedRecordUserPermission.objects.filter(
        content_object=record, company=company, user=user
    ).values_list("permission__codename", flat=True)
    return role_from_codenames(set(by_company.union(by_name)))


def can_edit(role: str | None) -> bool:
    return role in (OWNER, SharingRole.MANAGER, SharingRole.CONTRIBUTOR)


def can_share(role: str | None, record: SharedRecord) -> bool:
    return role == OWNER or (role == SharingRole.MANAGER and record.participants_may_share)


def _inbox_side_sql(table: str, *, named: bool, filters: list[str]) -> str:
    who = "e.user_id = %(user)s AND " if named else ""
    return f"""(
        SELECT e.content_object_id AS id, e.record_activity_at AS at FROM {table} e
         WHERE {who}e.company_id = %(company)s AND e.permission_id = %(perm)s
           AND NOT e.record_archived AND e.record_owner_id IS DISTINCT FROM %(company)s
           {"".join(f" AND {f}" for f in filters)}
         ORDER BY e.record_activity_at DESC, e.content_object_id LIMIT %(wanted)s)"""  # noqa: S608


def shared_with_page(
    *,
    user: User,
    company: Company,
    page: int = 1,
    per_page: int = 50,
    kind: str = "",
    stage: str = "",
    owner_id: int | None = None,
    needs_action: bool = False,
    membership: Membership | None = None,
) -> tuple[list[SharedRecord], bool]:
    """One page of the "Shared with me" inbox, newest activity first, and whether an older page
    exists. Reads the same entries as shared_records_visible_to (the company's and the user's
    named ones), ordered by their copy of the record's activity time: each side is an ordered,
    limited range scan of its covering index, the two are merged and paged in the same
    statement, and the page's records come with their owners and the viewer's withheld fields
    — one query. `membership`: the caller's membership as loaded for this request (pages and
    the API have it); it must be this user's in this company, else it is looked up."""
    if not user.is_authenticated:
        return [], False
    checked = (
        membership is not None
        and membership.pk is not None
        and membership.user_id == user.pk
        and membership.company_id == company.pk
    )
    if not checked and not Membership.objects.filter(user=user, company=company).exists():
        return [], False

    page = min(max(page, 1), MAX_PAGE)  # past it OFFSET would overflow: a probe, not a page
    params: dict = {
        "user": user.pk,
        "company": company.pk,
        "perm": permission_id("view_sharedrecord"),
        "wanted": page * per_page + 1,  # each side: every row up to the end of this page
        "offset": (page - 1) * per_page,
        "page_rows": per_page + 1,  # the page, and one more to know an older page exists
    }
    filters = []
    if kind:
        filters.append("e.record_kind = %(kind)s")
        params["kind"] = kind
    if stage:
        filters.append("e.record_stage = %(stage)s")
        params["stage"] = stage
    if owner_id:
        filters.append("e.record_owner_id = %(owner)s")
        params["owner"] = owner_id
    if needs_action:
        # the company has not answered yet (its section on the record is still pending). A
        # scalar subquery, not EXISTS: PostgreSQL then probes the section of each entry in
        # index order and stops at the page's end, instead of hashing every section.
        participation = Participation._meta.db_table
        filters.append(
            f"(SELECT p.status FROM {participation} p WHERE p.record_id = e.content_object_id"  # noqa: S608
            " AND p.company_id = %(company)s) = 'pending'"
        )
    record_columns = ", ".join(
        f'r."{SharedRecord._meta.get_field(name).column}"' for name in INBOX_FIELDS
    )
    sql = f"""
        WITH side AS (
            {_inbox_side_sql(SharedRecordGroupPermission._meta.db_table, named=False, filters=filters)}
            UNION ALL
            {_inbox_side_sql(SharedRecordUserPermission._meta.db_table, named=True, filters=filters)}
        ), page AS (
            SELECT id, max(at) AS at FROM side GROUP BY id
             ORDER BY max(at) DESC, id LIMIT %(page_rows)s OFFSET %(offset)s
        )
        SELECT {record_columns}, o.name AS owner_name, o.slug AS owner_slug,
               (SELECT p.withheld FROM {Participation._meta.db_table} p
                 WHERE p.record_id = r.id AND p.company_id = %(company)s) AS viewer_withheld
          FROM page JOIN {SharedRecord._meta.db_table} r ON r.id = page.id
          JOIN {Company._meta.db_table} o ON o.id = r.owner_id
         ORDER BY page.at DESC, page.id
    """  # noqa: S608 (table and column names from the models; values are parameters)
    records = list(SharedRecord.objects.raw(sql, params))
    for record in records:
        record.owner = Company(pk=record.owner_id, name=record.owner_name, slug=record.owner_slug)
        if record.viewer_withheld:
            record.payload = payload_without(record.payload, record.viewer_withheld)
    return records[:per_page], len(records) > per_page

"""THE access function (invariant 2). Every page, API endpoint, export, search, notification
and background job that reads shared records builds its queryset here.

A user, working as a member of `company`, may read a shared record iff
  - `company` owns it, or
  - `company`'s members group holds view permission on it (the whole company is on the list), or
  - the user holds view permission on it on behalf of `company` (named on the list),
and the user is (still) a member of `company`. Anything else is invisible: callers answer 404."""

from __future__ import annotations

import uuid
from functools import lru_cache

from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from identity.models import User
from sharing.models import (
    SharedRecord,
    SharedRecordGroupPermission,
    SharedRecordUserPermission,
    SharingRole,
    role_from_codenames,
)
from tenants.models import Company, Membership

OWNER = "owner"


@lru_cache(maxsize=8)
def permission_id(codename: str) -> int:
    return Permission.objects.get(content_type__app_label="sharing", codename=codename).pk


def _entry_filter(*, user: User, company: Company, codename: str) -> Q:
    perm = permission_id(codename)
    by_company = SharedRecordGroupPermission.objects.filter(
        content_object=OuterRef("pk"), company=company, permission_id=perm
    )
    by_name = SharedRecordUserPermission.objects.filter(
        content_object=OuterRef("pk"), company=company, user=user, permission_id=perm
    )
    return Q(Exists(by_company)) | Q(Exists(by_name))


def shared_records_visible_to(*, user: User, company: Company) -> QuerySet[SharedRecord]:
    if not user.is_authenticated:
        return SharedRecord.objects.none()
    is_member = Membership.objects.filter(user=user, company=company)
    return SharedRecord.objects.filter(
        Exists(is_member),
        Q(owner=company) | _entry_filter(user=user, company=company, codename="view_sharedrecord"),
    )


def shared_records_shared_with(*, user: User, company: Company) -> QuerySet[SharedRecord]:
    """Visible records that partners own (the "Shared with me" inbox)."""
    return shared_records_visible_to(user=user, company=company).exclude(owner=company)


def shared_record_get_for_actor(
    *, user: User, company: Company, pk: uuid.UUID | str
) -> SharedRecord:
    try:
        return (
            shared_records_visible_to(user=user, company=company).select_related("owner").get(pk=pk)
        )
    except (SharedRecord.DoesNotExist, ValueError) as exc:
        raise Http404("No such record.") from exc


def role_on_record(*, user: User, company: Company, record: SharedRecord) -> str | None:
    """owner / manager / contributor / viewer, or None if not on the list."""
    if record.owner_id == company.pk:
        return OWNER
    codenames = set(
        SharedRecordGroupPermission.objects.filter(
            content_object=record, company=company
        ).values_list("permission__codename", flat=True)
    ) | set(
        SharedRecordUserPermission.objects.filter(
            content_object=record, company=company, user=user
        ).values_list("permission__codename", flat=True)
    )
    return role_from_codenames(codenames)


def can_edit(role: str | None) -> bool:
    return role in (OWNER, SharingRole.MANAGER, SharingRole.CONTRIBUTOR)


def can_share(role: str | None, record: SharedRecord) -> bool:
    return role == OWNER or (role == SharingRole.MANAGER and record.participants_may_share)

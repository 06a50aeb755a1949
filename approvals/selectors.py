"""Reads of the approval policy and the requests (the current company's schema)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from approvals.models import ApprovalRule, ApproverRole, RequestStatus, ShareRequest
from approvals.policy import is_approver
from tenants.models import Membership, Role


def approver_roles_for(membership: Membership) -> list[str]:
    """The approver roles whose requests this member decides."""
    service_account = membership.user.is_service_account
    return [
        r
        for r in ApproverRole.values
        if is_approver(membership.role, r, service_account=service_account)
    ]


def requests_visible_to(*, membership: Membership) -> QuerySet[ShareRequest]:
    """Approvers see every request they could decide; everyone sees their own."""
    mine = Q(requested_by_id=membership.user_id)
    decidable = Q(approver_role__in=approver_roles_for(membership))
    return ShareRequest.objects.filter(mine | decidable)


def requests_waiting_for(*, membership: Membership) -> QuerySet[ShareRequest]:
    if membership.role not in (Role.OWNER, Role.ADMIN):
        return ShareRequest.objects.none()
    return ShareRequest.objects.filter(
        status=RequestStatus.PENDING, approver_role__in=approver_roles_for(membership)
    ).order_by("created_at")


def request_get_for_member(*, membership: Membership, pk: uuid.UUID | str) -> ShareRequest:
    try:
        return requests_visible_to(membership=membership).get(pk=pk)
    except (ShareRequest.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such request.") from exc


def pending_requests_of_record(*, source_id) -> list[ShareRequest]:  # type: ignore[no-untyped-def]
    if source_id is None:
        return []
    return list(ShareRequest.objects.filter(source_id=source_id, status=RequestStatus.PENDING))


def rules() -> QuerySet[ApprovalRule]:
    return ApprovalRule.objects.all()

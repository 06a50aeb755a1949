"""Writes of the approval policy: rules (admins, audited) and share requests (a sharer asks,
an approver approves or rejects with a comment, the sharer may withdraw). Approving carries
out the share through the sharing service, re-checked at that moment."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils import timezone

from approvals.models import ApprovalRule, ApproverRole, RequestStatus, ShareRequest
from approvals.policy import ApprovalRequired, amount_field_of, is_approver
from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.withholding import UNCLASSIFIED
from identity.models import User
from kinds import kind_get, kinds_shared
from partners.relationships.selectors import partner_type_terms
from sharing.models import SharingRole
from sharing.records.kinds import kind_handlers
from sharing.records.services.notifications import notify
from sharing.records.services.sharing import sharing_entry_set
from tenants.models import Company, Membership, Role
from tenants.models import Company as CompanyModel

RULE_FIELDS = ("name", "object_type", "min_amount", "currency", "partner_types", "approver_role")


def _rule_snapshot(rule: ApprovalRule) -> dict[str, Any]:
    data = model_to_dict(rule, fields=(*RULE_FIELDS, "active"))
    data["min_amount"] = str(rule.min_amount) if rule.min_amount is not None else None
    return data


def approval_rule_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"name": (data.get("name") or "").strip()[:80]}
    if not clean["name"]:
        errors["name"] = ["Give the rule a name people will recognise in the approvals inbox."]
    kind = data.get("object_type") or ""
    spec = kind_get(kind)
    if spec is None or not spec.is_shared:
        names = ", ".join(k.plural.lower() for k in kinds_shared())
        errors["object_type"] = [f"Choose what kind of record the rule is about: {names}."]
    clean["object_type"] = kind
    amount = data.get("min_amount")
    if amount in (None, ""):
        clean["min_amount"], clean["currency"] = None, ""
    else:
        try:
            clean["min_amount"] = Decimal(str(amount))
        except InvalidOperation:
            clean["min_amount"] = None
            errors["min_amount"] = ["Enter the threshold as a number, e.g. 100000."]
        else:
            if clean["min_amount"] < 0 or clean["min_amount"] >= Decimal("1e12"):
                errors["min_amount"] = ["Enter a threshold between 0 and 999,999,999,999."]
        if kind and not amount_field_of(kind):
            errors["min_amount"] = ["Amount thresholds apply to opportunities and marketing plans."]
        currency = (data.get("currency") or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            errors["currency"] = ["Give the threshold's currency as a three-letter code (USD)."]
        clean["currency"] = currency
    allowed = {t.key for t in partner_type_terms()} | {UNCLASSIFIED}
    types = list(dict.fromkeys(data.get("partner_types") or []))
    unknown = [t for t in types if t not in allowed]
    if unknown:
        errors["partner_types"] = [f"Not one of your partner types: {', '.join(unknown)}."]
    clean["partner_types"] = types
    role = data.get("approver_role") or ApproverRole.ADMIN
    if role not in ApproverRole.values:
        errors["approver_role"] = ["Choose who approves: an admin or an owner."]
    clean["approver_role"] = role
    if errors:
        raise ValidationError(errors)
    return clean


def approval_rule_create(*, actor: User, data: dict[str, Any]) -> ApprovalRule:
    rule = ApprovalRule(**approval_rule_clean(data))
    with transaction.atomic():
        rule.save()
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.APPROVALS_RULE_CREATED,
            target=rule,
            after=_rule_snapshot(rule),
        )
    return rule


def approval_rule_set_active(*, actor: User, rule: ApprovalRule, active: bool) -> ApprovalRule:
    with transaction.atomic():
        before = _rule_snapshot(rule)
        rule.active = active
        rule.save(update_fields=["active"])
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.APPROVALS_RULE_CHANGED,
            target=rule,
            before=before,
            after=_rule_snapshot(rule),
        )
    return rule


def approval_rule_remove(*, actor: User, rule: ApprovalRule) -> None:
    with transaction.atomic():
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.APPROVALS_RULE_REMOVED,
            target=rule,
            before=_rule_snapshot(rule),
        )
        rule.delete()


def _approvers(company: Company, approver_role: str) -> list[User]:
    roles = [Role.OWNER] if approver_role == ApproverRole.OWNER else [Role.OWNER, Role.ADMIN]
    return list(
        User.objects.filter(
            memberships__company=company, memberships__role__in=roles, is_service_account=False
        )
    )


def _notify(people: Iterable[User], company: Company, verb: str, message: str) -> None:
    notify(
        recipients=[(person, company) for person in people],
        record=None,
        verb=verb,
        message=message,
        url="/approvals/",
    )


def share_request_create(
    *,
    actor: User,
    actor_membership: Membership,
    kind: str,
    source_id,  # type: ignore[no-untyped-def]
    title: str,
    partner: Company,
    role: str,
    users: Iterable[User] = (),
    deal_role: str = "",
    pending: ApprovalRequired,
    note: str = "",
) -> ShareRequest:
    """Records a share that needs approval (the sharing service refused it with `pending`)
    and tells the approvers. One open request per record and partner."""
    company = actor_membership.company
    if role not in SharingRole.values:
        raise ValidationError("Choose a role: viewer, contributor or manager.")
    if len(note) > 1000:
        raise ValidationError({"note": ["Keep the note to the approver under 1,000 characters."]})
    request = ShareRequest(
        kind=kind,
        source_id=source_id,
        title=title[:200],
        partner_id=partner.pk,
        partner_name=partner.name,
        role=role,
        user_ids=sorted(u.pk for u in users),
        deal_role=deal_role or "",
        reasons=pending.reasons,
        approver_role=pending.approver_role,
        requested_by=actor,
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            request.save()
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.APPROVALS_REQUESTED,
                target=request,
                after={
                    "record": request.title,
                    "partner": partner.name,
                    "role": role,
                    "reasons": pending.reasons,
                },
            )
            _notify(
                _approvers(company, request.approver_role),
                company,
                "approvals.requested",
                f"{actor.get_full_name()} asks to share “{request.title}” with {partner.name}",
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"Sharing “{title}” with {partner.name} is already waiting for approval."
        ) from exc
    return request


def _decidable(request: ShareRequest, actor_membership: Membership) -> ShareRequest:
    locked = ShareRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise Http404("No such request.")
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(f"This request is already {locked.get_status_display().lower()}.")
    if not is_approver(
        actor_membership.role,
        locked.approver_role,
        service_account=actor_membership.user.is_service_account,
    ):
        raise PermissionDenied(
            "Only "
            + ("owners" if locked.approver_role == ApproverRole.OWNER else "admins and owners")
            + " approve this request."
        )
    return locked


def _decided(
    request: ShareRequest, *, actor: User, company: Company, status: str, comment: str, told: str
) -> None:
    """Records the decision on the request, in the audit log, and tells the requester."""
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    company_audit_entry_record(
        actor=actor,
        action=AuditAction(f"approvals.{status}"),
        target=request,
        after={"record": request.title, "partner": request.partner_name, "comment": comment},
    )
    if request.requested_by_id != actor.pk:
        _notify([request.requested_by], company, f"approvals.{status}", told)


def share_request_approve(
    *, actor: User, actor_membership: Membership, request: ShareRequest, comment: str = ""
) -> ShareRequest:
    """Publishes the record and puts the partner on its list, as the approver, in one
    transaction; if the share is no longer possible (the partnership ended, a person left)
    the request stays pending and the error says why."""
    comment = comment.strip()[:1000]
    company = actor_membership.company
    with transaction.atomic():
        request = _decidable(request, actor_membership)
        handlers = kind_handlers(request.kind)
        if handlers is None or handlers.publish is None:
            raise ValidationError("This kind of record can no longer be shared.")
        partner = CompanyModel.objects.active().filter(pk=request.partner_id).first()
        if partner is None:
            raise ValidationError(f"{request.partner_name} is no longer on the network.")
        try:
            record = handlers.publish(actor, company, request.source_id)
        except Http404 as exc:
            raise ValidationError("The record was deleted; reject the request instead.") from exc
        sharing_entry_set(
            actor=actor,
            actor_membership=actor_membership,
            record=record,
            partner=partner,
            role=request.role,
            users=list(User.objects.filter(pk__in=request.user_ids)),
            deal_role=request.deal_role or None,
            approval_id=request.pk,
        )
        _decided(
            request,
            actor=actor,
            company=company,
            status=RequestStatus.APPROVED,
            comment=comment,
            told=f"{actor.get_full_name()} approved sharing “{request.title}” with "
            f"{request.partner_name}; it is shared now",
        )
    return request


def share_request_reject(
    *, actor: User, actor_membership: Membership, request: ShareRequest, comment: str
) -> ShareRequest:
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": ["Say why, so the requester knows what to change."]})
    if len(comment) > 1000:
        raise ValidationError({"comment": ["Keep the comment under 1,000 characters."]})
    company = actor_membership.company
    with transaction.atomic():
        request = _decidable(request, actor_membership)
        _decided(
            request,
            actor=actor,
            company=company,
            status=RequestStatus.REJECTED,
            comment=comment,
            told=f"{actor.get_full_name()} rejected sharing “{request.title}” with "
            f"{request.partner_name}: {comment}",
        )
    return request


def share_request_withdraw(
    *, actor: User, actor_membership: Membership, request: ShareRequest, comment: str = ""
) -> ShareRequest:
    """The requester takes its own request back (an optional comment says why)."""
    with transaction.atomic():
        locked = ShareRequest.objects.select_for_update().filter(pk=request.pk).first()
        if locked is None or locked.requested_by_id != actor.pk:
            raise Http404("No such request.")
        if locked.status != RequestStatus.PENDING:
            raise ValidationError(f"This request is already {locked.get_status_display().lower()}.")
        _decided(
            locked,
            actor=actor,
            company=actor_membership.company,
            status=RequestStatus.WITHDRAWN,
            comment=comment.strip()[:1000],
            told="",
        )
    return locked


def share_or_request(
    *,
    actor: User,
    actor_membership: Membership,
    kind: str,
    source_id,  # type: ignore[no-untyped-def]
    title: str,
    publish,  # type: ignore[no-untyped-def]
    partner: Company,
    role: str,
    users: Iterable[User] = (),
    deal_role: str = "",
    note: str = "",
) -> ShareRequest | None:
    """Shares the record now (publish + sharing list, one transaction), or, when the owner's
    approval policy asks for it, rolls that back and records a request for an approver.
    Returns the request, or None when the share happened."""
    users = list(users)
    try:
        with transaction.atomic():
            sharing_entry_set(
                actor=actor,
                actor_membership=actor_membership,
                record=publish(),
                partner=partner,
                role=role,
                users=users,
                deal_role=deal_role or None,
            )
    except ApprovalRequired as pending:
        return share_request_create(
            actor=actor,
            actor_membership=actor_membership,
            kind=kind,
            source_id=source_id,
            title=title,
            partner=partner,
            role=role,
            users=users,
            deal_role=deal_role,
            pending=pending,
            note=note,
        )
    return None

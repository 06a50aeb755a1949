"""Does a share need approval? Read in the owner's schema from its rules, the record's own
values (private ones included: they never leave, the rule only compares) and how the owner
classifies the partner. The sharing service calls approval_check before adding a partner,
so no page, API call or script shares around the policy."""

from __future__ import annotations

from decimal import Decimal

from approvals.models import ApprovalRule, ApproverRole
from business.registry import model_for
from business.withholding import UNCLASSIFIED
from kinds import kind_get
from partners.relationships.selectors import partner_type_terms, partner_types_of
from tenants.models import Company, Membership, Role
from tenants.schemas import company_schema


def amount_field_of(kind: str) -> str:
    """The money field approval thresholds compare for a kind ("" if it has none)."""
    spec = kind_get(kind)
    return spec.amount_field if spec is not None else ""


class ApprovalRequired(Exception):
    """The share waits for an approver: `reasons` say which rules matched."""

    def __init__(self, reasons: list[str], approver_role: str):
        self.reasons, self.approver_role = reasons, approver_role
        who = "an owner" if approver_role == ApproverRole.OWNER else "an admin"
        super().__init__(f"Sharing this needs approval by {who}: " + "; ".join(reasons) + ".")


def is_approver(member_role: str, approver_role: str, *, service_account: bool = False) -> bool:
    """Approvals are people's decisions: an integration's service account never approves,
    whatever its role (a leaked sync token must not publish records past the policy)."""
    if service_account:
        return False
    if approver_role == ApproverRole.OWNER:
        return member_role == Role.OWNER
    return member_role in (Role.OWNER, Role.ADMIN)


def _money(value: Decimal | None, currency: str) -> str:
    return f"{value:,.2f}".removesuffix(".00") + f" {currency}".rstrip()


def rule_reason(rule: ApprovalRule, *, record, partner_type: str, type_labels: dict) -> str | None:  # type: ignore[no-untyped-def]
    """Why `rule` applies to sharing `record` with a partner of `partner_type`, or None."""
    parts = []
    if rule.min_amount is not None:
        field = amount_field_of(rule.object_type)
        amount = getattr(record, field, None) if field else None
        currency = getattr(record, "currency", "") or ""
        if amount is None:
            return None
        if rule.currency and currency and currency != rule.currency:
            # no exchange rates here: a threshold we cannot compare asks rather than guesses
            parts.append(
                f"{field} is in {currency}, the threshold {_money(rule.min_amount, rule.currency)}"
            )
        elif Decimal(amount) >= rule.min_amount:
            parts.append(
                f"{field} {_money(Decimal(amount), currency)} ≥ {_money(rule.min_amount, rule.currency)}"
            )
        else:
            return None
    if rule.partner_types:
        key = partner_type or UNCLASSIFIED
        if key not in rule.partner_types:
            return None
        parts.append(f"partner type {type_labels.get(key, 'not classified')}")
    return f"{rule.name} ({', '.join(parts) or 'every share'})"


def approval_reasons(*, kind: str, source_id, partner: Company) -> tuple[list[str], str | None]:  # type: ignore[no-untyped-def]
    """(reasons, approver role) for sharing the record `source_id` of `kind` with `partner`,
    in the current (owner's) schema; ([], None) when no rule applies."""
    rules = list(ApprovalRule.objects.filter(active=True, object_type=kind))
    if not rules:
        return [], None

    model = model_for(kind)
    record = model.objects.filter(pk=source_id).first() if model else None
    if record is None:
        return [], None
    partner_type = partner_types_of(partner_ids=[partner.pk])[partner.pk]
    labels = {t.key: t.label for t in partner_type_terms(include_retired=True)}
    matched = [
        (rule, reason)
        for rule in rules
        if (
            reason := rule_reason(
                rule, record=record, partner_type=partner_type, type_labels=labels
            )
        )
    ]
    if not matched:
        return [], None
    strictest = (
        ApproverRole.OWNER
        if any(rule.approver_role == ApproverRole.OWNER for rule, _ in matched)
        else ApproverRole.ADMIN
    )
    return [reason for _, reason in matched], strictest


def approval_check(*, actor_membership: Membership, record, partner: Company) -> None:  # type: ignore[no-untyped-def]
    """Raises ApprovalRequired when the owner's people add `partner` to `record` and a rule
    asks for approval the sharer cannot give. Re-shares by a participant's managers follow
    the record's "participants may share" switch, which the owner's policy governs."""
    owner = actor_membership.company
    if owner.pk != record.owner_id:
        return
    with company_schema(owner):
        reasons, approver_role = approval_reasons(
            kind=record.kind, source_id=record.source_id, partner=partner
        )
    if reasons and not is_approver(
        actor_membership.role,
        approver_role or ApproverRole.ADMIN,
        service_account=actor_membership.user.is_service_account,
    ):
        raise ApprovalRequired(reasons, approver_role or ApproverRole.ADMIN)

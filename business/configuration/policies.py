"""The policy sections of a configuration: the sharing policy, approval rules and metrics.

They belong to rooms above the business schema (approvals, reports), so they are read and
written through those rooms' own services, imported at call time: the same checks as their
settings pages, and no import of those rooms when the business schema loads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from identity.models import User


def policies_export() -> dict[str, Any]:
    from approvals.models import ApprovalRule
    from business.policy import EDITABLE, sharing_policy
    from reports.models import Metric
    from reports.services import FIELDS as METRIC_FIELDS

    policy = sharing_policy()
    return {
        "sharing_policy": {key: getattr(policy, key) for key in EDITABLE},
        "approval_rules": [
            {
                "name": r.name,
                "object_type": r.object_type,
                "min_amount": str(r.min_amount) if r.min_amount is not None else None,
                "currency": r.currency,
                "partner_types": r.partner_types,
                "approver_role": r.approver_role,
                "active": r.active,
            }
            for r in ApprovalRule.objects.order_by("object_type", "name")
        ],
        "metrics": [
            {key: getattr(m, key) for key in METRIC_FIELDS} for m in Metric.objects.order_by("pk")
        ],
    }


def policies_import(*, actor: User, data: dict[str, Any]) -> dict[str, int]:
    """Applies the policy sections through their own services (same checks as the settings
    pages), after vocabularies and fields are in place. Raises one ValidationError listing
    every problem; the caller's transaction then takes the whole import back."""
    problems: list[str] = []
    counts = {"policies": 0, "approval_rules": 0, "metrics": 0}
    if data.get("sharing_policy"):
        problems += _sharing_policy_import(actor=actor, spec=data["sharing_policy"])
        counts["policies"] = 0 if problems else 1
    for i, spec in enumerate(data.get("approval_rules") or []):
        spec_problems = _approval_rule_import(i, spec)
        problems += spec_problems
        counts["approval_rules"] += 0 if spec_problems else 1
    for i, spec in enumerate(data.get("metrics") or []):
        spec_problems = _metric_import(i, spec)
        problems += spec_problems
        counts["metrics"] += 0 if spec_problems else 1
    if problems:
        raise ValidationError(problems)
    return counts


def _lines(prefix: str, exc: ValidationError) -> list[str]:
    return [f"{prefix}.{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]


def _sharing_policy_import(*, actor: User, spec: dict[str, Any]) -> list[str]:
    from business.policy import sharing_policy_update

    try:
        sharing_policy_update(actor=actor, data=dict(spec))
    except ValidationError as exc:
        return _lines("sharing_policy", exc)
    return []


def _approval_rule_import(i: int, spec: dict[str, Any]) -> list[str]:
    from approvals.models import ApprovalRule
    from approvals.services import approval_rule_clean

    try:
        clean = approval_rule_clean(spec)
    except ValidationError as exc:
        return _lines(f"approval_rules[{i}]", exc)
    ApprovalRule.objects.update_or_create(
        object_type=clean["object_type"],
        name=clean["name"],
        defaults={**clean, "active": bool(spec.get("active", True))},
    )
    return []


def _metric_import(i: int, spec: dict[str, Any]) -> list[str]:
    from reports.models import Metric
    from reports.services import metric_clean

    try:
        clean = metric_clean(spec)
    except ValidationError as exc:
        return _lines(f"metrics[{i}]", exc)
    Metric.objects.update_or_create(name=clean["name"], defaults=clean)
    return []

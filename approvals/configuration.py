"""Approval rules as a section of the company's configuration document (export / import)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from approvals.models import ApprovalRule
from approvals.services import approval_rule_clean
from business.configuration.sections import ConfigurationSection, Problems, validation_lines
from business.configuration.shapes import names_field


class ApprovalRuleIn(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True)
    object_type = serializers.CharField(max_length=20)
    min_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    partner_types = names_field(required=False, default=list)
    approver_role = serializers.CharField(max_length=10, required=False, default="admin")
    active = serializers.BooleanField(required=False, default=True)


def _export() -> list[dict[str, Any]]:
    return [
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
    ]


def _import_item(spec: dict[str, Any]) -> Problems:
    try:
        clean = approval_rule_clean(spec)
    except ValidationError as exc:
        return validation_lines(exc)
    ApprovalRule.objects.update_or_create(
        object_type=clean["object_type"],
        name=clean["name"],
        defaults={**clean, "active": bool(spec.get("active", True))},
    )
    return []


SECTION = ConfigurationSection(
    key="approval_rules", item_shape=ApprovalRuleIn, export=_export, import_item=_import_item
)

"""The company's sharing policy (its schema): read by the sharing services, changed by admins,
every change audited with before/after like sharing-list changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import company_audit_entry_record
from business.models import SharingPolicy
from identity.models import User
from sharing.models import SharingRole
from sharing.policy import SHAREABLE_FIELDS
from tenants.models import Role

EDITABLE = ("sharer_roles", "default_role", "allow_participant_resharing", "private_core_fields")
# Fields a partner needs to recognise the record at all stay shareable.
ALWAYS_SHARED = {
    "opportunity": {"customer_name", "stage"},
    "solution": {"name"},
    "marketing_plan": {"name"},
}


def sharing_policy() -> SharingPolicy:
    """The policy row (a migration creates it in every schema); the defaults if it is missing."""
    return SharingPolicy.objects.filter(singleton=True).first() or SharingPolicy()


def privatizable_fields() -> dict[str, list[str]]:
    return {
        kind: [f for f in fields if f not in ALWAYS_SHARED.get(kind, set())]
        for kind, fields in SHAREABLE_FIELDS.items()
    }


def sharing_policy_update(*, actor: User, data: dict[str, Any]) -> SharingPolicy:
    errors: dict[str, list[str]] = {}
    roles = data.get("sharer_roles")
    if roles is not None and (not roles or not set(roles) <= set(Role.values)):
        errors["sharer_roles"] = ["Choose at least one of owner, admin, member."]
    if "default_role" in data and data["default_role"] not in SharingRole.values:
        errors["default_role"] = ["Choose viewer, contributor or manager."]
    private = data.get("private_core_fields")
    allowed = privatizable_fields()
    if private is not None:
        for kind, names in private.items():
            if kind not in allowed or not set(names) <= set(allowed[kind]):
                errors["private_core_fields"] = [
                    f"Only these fields can be kept private for {kind}: {', '.join(allowed.get(kind, []))}."
                ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = SharingPolicy.objects.select_for_update().get_or_create(singleton=True)[0]
        before = {k: getattr(policy, k) for k in EDITABLE}
        for key in EDITABLE:
            if key in data and data[key] is not None:
                setattr(policy, key, data[key])
        if "owner" not in policy.sharer_roles:
            policy.sharer_roles = ["owner", *policy.sharer_roles]  # owners can always share
        after = {k: getattr(policy, k) for k in EDITABLE}
        changed = [k for k in EDITABLE if before[k] != after[k]]
        if changed:
            policy.save()
            company_audit_entry_record(
                actor=actor,
                action="business.sharing_policy_updated",
                target=policy,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return policy

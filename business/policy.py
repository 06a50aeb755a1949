"""The company's sharing policy (its schema): read by the sharing services, changed by admins,
every change audited with before/after like sharing-list changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.hooks import withholding_changed
from business.labels import company_labels
from business.models import FieldDefinition, SharingPolicy, Term
from business.withholding import UNASSIGNED, UNCLASSIFIED
from canonical import SharingRole
from identity.models import User
from kinds import kind_get, kinds_shared
from tenants.models import Role

EDITABLE = (
    "sharer_roles",
    "default_role",
    "allow_participant_resharing",
    "private_core_fields",
    "withheld_fields",
)


def sharing_policy() -> SharingPolicy:
    """The policy row (a migration creates it in every schema); the defaults if it is missing."""
    return SharingPolicy.objects.filter(singleton=True).first() or SharingPolicy()


def privatizable_fields() -> dict[str, list[str]]:
    """Per kind that can be shared, the built-in fields a company may keep private: all it
    shares by default but what a partner needs to recognise the record at all."""
    return {
        spec.key: [f for f in spec.shareable_fields if f not in spec.always_shared]
        for spec in kinds_shared()
    }


def withholdable_fields() -> dict[str, list[tuple[str, str]]]:
    """Per record kind, (name, label) of the fields a policy may withhold from some partners:
    the built-in ones that can be private, and the custom fields marked shareable."""
    custom: dict[str, list[tuple[str, str]]] = {}
    for definition in FieldDefinition.objects.filter(
        shareable=True, retired_at__isnull=True
    ).order_by("position", "label"):
        custom.setdefault(definition.object_type, []).append(
            (f"custom.{definition.key}", definition.label)
        )
    return {
        kind: [(name, name.replace("_", " ").capitalize()) for name in names] + custom.get(kind, [])
        for kind, names in privatizable_fields().items()
    }


def withholding_audiences(kind: str) -> dict[str, list[tuple[str, str]]]:
    """Who a field can be withheld from: our partner types (and unclassified partners), and,
    on opportunities, parts in the deal (and partners whose part we haven't set)."""
    types = [
        (t.key, t.label)
        for t in Term.objects.filter(vocabulary__key="partner_types", retired_at__isnull=True)
    ] + [(UNCLASSIFIED, "Not classified")]
    roles = (
        [*company_labels()["deal_role"].items(), (UNASSIGNED, "Part not set by us")]
        if (spec := kind_get(kind)) is not None and spec.has_deal_roles
        else []
    )
    return {"partner_types": types, "deal_roles": roles}


def _withheld_clean(value: Any) -> tuple[dict[str, dict], list[str]]:
    if not isinstance(value, dict):
        return {}, ["Withheld fields must be an object by record type."]
    fields = withholdable_fields()
    problems: list[str] = []
    clean: dict[str, dict] = {}
    for kind, rules in value.items():
        if kind not in fields or not isinstance(rules, dict):
            problems.append(f"Unknown record type: {kind}.")
            continue
        allowed_fields = {name for name, _ in fields[kind]}
        audiences = withholding_audiences(kind)
        for field, audience in rules.items():
            if field not in allowed_fields:
                problems.append(f"{field} can't be withheld on {kind} (not a shared field).")
                continue
            entry = {}
            for axis in ("partner_types", "deal_roles"):
                keys = list(dict.fromkeys((audience or {}).get(axis) or []))
                known = {k for k, _ in audiences[axis]}
                unknown = [k for k in keys if k not in known]
                if unknown:
                    problems.append(f"Not a choice for {field}: {', '.join(unknown)}.")
                if keys:
                    entry[axis] = keys
            if entry:
                clean.setdefault(kind, {})[field] = entry
    return clean, problems


def sharing_policy_update(
    *, actor: User, data: dict[str, Any], company: Any = None
) -> SharingPolicy:
    """Validates and saves the policy, audited; a change to withheld fields applies to every
    record already shared, in the same transaction."""
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
    if data.get("withheld_fields") is not None:
        data = dict(data)
        data["withheld_fields"], problems = _withheld_clean(data["withheld_fields"])
        if problems:
            errors["withheld_fields"] = problems
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
            if "withheld_fields" in changed:
                withholding_changed(company or connection.tenant)
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_SHARING_POLICY_UPDATED,
                target=policy,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return policy

"""Validation rules and stage requirements: checked on every save of a record (pages, API,
imports), after derived fields are computed, against the record as it will be saved."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.derived import _jsonable as convert
from business.derived import known_names
from business.formula import FormulaError, evaluate, parse
from business.labels import company_labels
from business.models import FieldDefinition, ObjectType, StageRequirement, ValidationRule
from business.registry import core_fields_of
from identity.models import User

STAGE_ORDER = ["prospect", "qualify", "propose", "negotiate", "won"]


def _jsonable(value: Any) -> Any:
    return convert(value)


def rules_check(
    *, object_type: str, custom: dict[str, Any], core: dict[str, Any], definitions
) -> None:  # type: ignore[no-untyped-def]
    """ValidationError listing every broken rule and missing stage requirement (rules on
    "__all__", requirements on their field: cf_<key> or the built-in field's name)."""
    errors: dict[str, list[str]] = {}
    values = {**{k: _jsonable(v) for k, v in core.items()}, **custom}
    names = known_names(object_type, definitions)
    for rule in ValidationRule.objects.filter(object_type=object_type, active=True):
        try:
            formula = parse(rule.condition, known_names=names)
        except FormulaError as exc:
            # a rule broken by a later schema change (a field it reads was retired) is never
            # skipped in silence: the save stops and says which rule to fix
            errors.setdefault("__all__", []).append(
                f"The validation rule “{rule.message}” can't be checked: {exc}. "
                "Ask an admin to fix it under Settings → Rules; nothing was saved."
            )
            continue
        if evaluate(formula, values) is True:
            errors.setdefault("__all__", []).append(rule.message)
    if object_type == ObjectType.OPPORTUNITY and core.get("stage") in STAGE_ORDER:
        reached = STAGE_ORDER.index(core["stage"])
        labels = None
        custom_keys = {d.key: d for d in definitions if not d.retired_at}
        for requirement in StageRequirement.objects.all():
            if requirement.from_stage not in STAGE_ORDER:
                continue
            if reached < STAGE_ORDER.index(requirement.from_stage):
                continue
            name = requirement.field_name
            if values.get(name) in (None, "", []):
                labels = labels or company_labels()
                label = (
                    custom_keys[name].label
                    if name in custom_keys
                    else name.replace("_", " ").capitalize()
                )
                stage = labels["stage"].get(requirement.from_stage, requirement.from_stage)
                key = f"cf_{name}" if name in custom_keys else name
                errors.setdefault(key, []).append(f"{label} is required from “{stage}” on.")
    if errors:
        raise ValidationError(errors)


def has_rules(object_type: str) -> bool:
    if ValidationRule.objects.filter(object_type=object_type, active=True).exists():
        return True
    return object_type == ObjectType.OPPORTUNITY and StageRequirement.objects.exists()


def rule_create(*, actor: User, data: dict[str, Any]) -> ValidationRule:
    rule = ValidationRule(
        object_type=data.get("object_type", ""),
        name=(data.get("name") or "").strip(),
        condition=(data.get("condition") or "").strip(),
        message=(data.get("message") or "").strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        rule.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if rule.condition and "object_type" not in errors:
        definitions = list(FieldDefinition.objects.filter(object_type=rule.object_type))
        try:
            parse(rule.condition, known_names=known_names(rule.object_type, definitions))
        except FormulaError as exc:
            errors.setdefault("condition", []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule.save()
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.BUSINESS_RULE_CREATED,
            target=rule,
            after={"name": rule.name, "condition": rule.condition, "message": rule.message},
        )
    return rule


def rule_remove(*, actor: User, rule: ValidationRule) -> None:
    with transaction.atomic():
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.BUSINESS_RULE_REMOVED,
            target=rule,
            before={"name": rule.name, "condition": rule.condition, "message": rule.message},
        )
        rule.delete()


def requirement_fields() -> list[tuple[str, str]]:
    """What a stage requirement can name: built-in opportunity fields and active custom ones."""
    core = [
        (name, name.replace("_", " ").capitalize())
        for name in core_fields_of(ObjectType.OPPORTUNITY)
    ]
    custom = [
        (d.key, d.label)
        for d in FieldDefinition.objects.filter(
            object_type=ObjectType.OPPORTUNITY, retired_at__isnull=True, formula=""
        )
    ]
    return core + custom


def requirement_set(*, actor: User, field_name: str, from_stage: str | None) -> None:
    """Requires `field_name` from `from_stage` on; None removes the requirement."""
    valid = {name for name, _ in requirement_fields()}
    if field_name not in valid:
        raise ValidationError("Choose one of your opportunity fields.")
    if from_stage is not None and from_stage not in STAGE_ORDER:
        raise ValidationError("Choose a stage.")
    with transaction.atomic():
        current = StageRequirement.objects.filter(field_name=field_name).first()
        before = {"field": field_name, "from_stage": current.from_stage} if current else None
        if from_stage is None:
            if current:
                current.delete()
        elif current:
            current.from_stage = from_stage
            current.save(update_fields=["from_stage"])
        else:
            StageRequirement.objects.create(field_name=field_name, from_stage=from_stage)
        after = {"field": field_name, "from_stage": from_stage} if from_stage else None
        if before != after:
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_STAGE_REQUIREMENT_SET,
                before=before,
                after=after,
            )

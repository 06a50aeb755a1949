"""Changes to a company's custom fields: create, update (a type change converts what converts,
after the admin confirmed the count), retire. Each one is a transaction, validated and
audited with before/after; values are never deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.derived import compiled, known_names
from business.formula import FormulaError, parse
from business.indexes import sort_indexes_sync
from business.models import (
    CHOICE_TYPES,
    DERIVABLE_TYPES,
    FieldDefinition,
    FieldType,
    ValidationRule,
)
from business.registry import model_for
from business.services.retiring import retired_set
from business.tasks import derived_recompute
from business.values import Catalog, coerce
from identity.models import User
from kinds import record_type_keys
from tenants.models import Company, Membership

FIELD_EDITABLE = (
    "formula",
    "indexed",
    "label",
    "help_text",
    "required",
    "default",
    "position",
    "group",
    "shareable",
    "vocabulary",
    "reference_type",
)


MAX_FIELDS_PER_TYPE = 200


@dataclass
class TypeChangeNeedsConfirmation(Exception):
    """The admin must confirm: `failing` of `total` stored values would not convert (or, for
    a field that becomes derived, would be replaced by the formula's results)."""

    total: int
    failing: int
    becomes_derived: bool = False

    def __str__(self) -> str:
        if self.becomes_derived:
            return (
                f"{self.failing} record{'s' if self.failing != 1 else ''} hold a typed-in value "
                "that the formula will replace. The typed values will be kept in the audit "
                "log, not on the records. Confirm to go ahead."
            )
        return (
            f"{self.failing} of {self.total} existing values can't be converted. "
            "They will be kept in the audit log, not on the records. Confirm to go ahead."
        )

    @property
    def action(self) -> str:
        return "Make it computed anyway" if self.becomes_derived else "Change the type anyway"


# How many replaced values an audit entry keeps word for word (the count is always kept).
MAX_AUDITED_VALUES = 10_000


def typed_values_of(definition: FieldDefinition) -> dict[str, Any]:
    """{record id: value} of the values people typed into a field that is about to become
    derived."""
    model = model_for(definition.object_type)
    if model is None:
        return {}
    rows = model.objects.filter(custom__has_key=definition.key).values_list(
        "pk", f"custom__{definition.key}"
    )
    return {str(pk): value for pk, value in rows if value not in (None, "", [])}


def schedule_derived_recompute(object_type: str) -> None:
    schema = connection.schema_name
    transaction.on_commit(
        lambda: derived_recompute.apply_async(
            args=[object_type, schema], headers={"_schema_name": schema}
        )
    )


def _snapshot(definition: FieldDefinition) -> dict[str, Any]:
    data = model_to_dict(definition, fields=("key", "field_type", *FIELD_EDITABLE))
    data["vocabulary"] = definition.vocabulary.key if definition.vocabulary_id else None
    return data


def _check_formula(definition: FieldDefinition) -> list[str]:
    """Admin-facing checks of a derived field: syntax, names, argument counts, result type and
    loops through other derived fields of the same record type."""
    if definition.field_type not in DERIVABLE_TYPES:
        return ["A formula's result can be a number, money, percent, date or text."]
    others = [
        d
        for d in FieldDefinition.objects.filter(object_type=definition.object_type)
        if d.pk != definition.pk
    ]
    try:
        compiled(definition.object_type, [*others, definition])
    except FormulaError as exc:
        return [str(exc)]
    return []


def _check_field(definition: FieldDefinition, company: Company) -> None:
    errors: dict[str, list[str]] = {}
    definition.formula = (definition.formula or "").strip()
    if definition.formula:
        definition.required, definition.default = False, None  # computed, never typed in
        errors_formula = _check_formula(definition)
        if errors_formula:
            errors["formula"] = errors_formula
    try:
        definition.full_clean(exclude=["vocabulary", "default"], validate_unique=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if definition.field_type in CHOICE_TYPES and not definition.vocabulary_id:
        errors.setdefault("vocabulary", []).append("Choose the vocabulary its choices come from.")
    if definition.field_type not in CHOICE_TYPES and definition.vocabulary_id:
        definition.vocabulary = None
    if definition.field_type == FieldType.REFERENCE and not definition.reference_type:
        errors.setdefault("reference_type", []).append("Choose what kind of record it links to.")
    if definition.default not in (None, "", []) and "vocabulary" not in errors:
        member_ids = Membership.objects.filter(
            company=company, user__is_service_account=False
        ).values_list("user_id", flat=True)
        try:
            definition.default = coerce(
                definition, definition.default, Catalog([definition], member_ids)
            )
        except ValidationError as exc:
            errors.setdefault("default", []).extend(exc.messages)
    elif definition.default in ("", []):
        definition.default = None
    if errors:
        raise ValidationError(errors)


def field_create(*, actor: User, company: Company, data: dict[str, Any]) -> FieldDefinition:
    definition = FieldDefinition(
        object_type=data.get("object_type", ""),
        key=(data.get("key") or "").strip(),
        field_type=data.get("field_type", ""),
        **{k: v for k, v in data.items() if k in FIELD_EDITABLE and v is not None},
    )
    if definition.object_type not in record_type_keys():
        raise ValidationError({"object_type": ["Choose the kind of record the field belongs to."]})
    _check_field(definition, company)
    if (
        FieldDefinition.objects.filter(object_type=definition.object_type).count()
        >= MAX_FIELDS_PER_TYPE
    ):
        raise ValidationError(f"A record type can have at most {MAX_FIELDS_PER_TYPE} fields.")
    try:
        with transaction.atomic():
            definition.save()
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_FIELD_CREATED,
                target=definition,
                after=_snapshot(definition),
            )
            if definition.is_derived:
                schedule_derived_recompute(definition.object_type)
            sort_indexes_sync(definition)
    except IntegrityError as exc:
        raise ValidationError(
            {"key": ["There already is a field with this key on this record type."]}
        ) from exc
    return definition


def _convert_values(
    definition: FieldDefinition, new_type: str, company: Company
) -> tuple[int, dict[str, Any], list]:
    """Trial conversion of every stored value: (total, failing {record id: old value}, rows to save)."""
    model = model_for(definition.object_type)
    if model is None:
        return 0, {}, []
    trial = FieldDefinition(
        object_type=definition.object_type,
        key=definition.key,
        label=definition.label,
        field_type=new_type,
        vocabulary=definition.vocabulary,
        reference_type=definition.reference_type,
    )
    member_ids = Membership.objects.filter(
        company=company, user__is_service_account=False
    ).values_list("user_id", flat=True)
    catalog = Catalog([trial], member_ids)
    total, failing, rows = 0, {}, []
    for row in model.objects.filter(custom__has_key=definition.key).only("pk", "custom"):
        total += 1
        old = row.custom[definition.key]
        if new_type in (FieldType.TEXT, FieldType.LONG_TEXT) and isinstance(old, list | dict):
            old = ", ".join(map(str, old)) if isinstance(old, list) else str(old.get("amount", ""))
        try:
            row.custom[definition.key] = coerce(trial, old, catalog)
        except ValidationError:
            failing[str(row.pk)] = row.custom.pop(definition.key)
        rows.append(row)
    return total, failing, rows


def field_update(
    *,
    actor: User,
    company: Company,
    definition: FieldDefinition,
    data: dict[str, Any],
    expected_version: int | None = None,
    confirm_type_change: bool = False,
) -> FieldDefinition:
    with transaction.atomic():
        locked = FieldDefinition.objects.select_for_update().get(pk=definition.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ValidationError(
                "Someone changed this field since you opened it. Reload and try again."
            )
        before = _snapshot(locked)
        for key in FIELD_EDITABLE:
            if key in data:
                setattr(locked, key, data[key])
        new_type = data.get("field_type") or locked.field_type
        type_changes = new_type != locked.field_type
        if type_changes:
            if new_type not in FieldType.values:
                raise ValidationError({"field_type": ["Choose a field type from the list."]})
            locked.field_type = new_type
        _check_field(locked, company)
        failing: dict[str, Any] = {}
        replaced: dict[str, Any] = {}
        if locked.formula and not before.get("formula"):
            replaced = typed_values_of(locked)
            if replaced and not confirm_type_change:
                raise TypeChangeNeedsConfirmation(
                    total=len(replaced), failing=len(replaced), becomes_derived=True
                )
        if type_changes:
            total, failing, rows = _convert_values(definition, new_type, company)
            if failing and not confirm_type_change:
                raise TypeChangeNeedsConfirmation(total=total, failing=len(failing))
            model = model_for(locked.object_type)
            if rows and model is not None:
                model.objects.bulk_update(rows, ["custom"], batch_size=1000)
        locked.version += 1
        locked.save()
        sort_indexes_sync(locked)
        if locked.formula != before.get("formula") or (locked.is_derived and type_changes):
            schedule_derived_recompute(locked.object_type)
        after = _snapshot(locked)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.BUSINESS_FIELD_UPDATED,
            target=locked,
            before={
                **{k: before[k] for k in changed},
                **({"unconverted_values": failing} if failing else {}),
                **(
                    {
                        "typed_values_replaced": len(replaced),
                        "typed_values": dict(list(replaced.items())[:MAX_AUDITED_VALUES]),
                    }
                    if replaced
                    else {}
                ),
            },
            after=changed,
        )
    definition.refresh_from_db()
    return definition


def _readers_of(definition: FieldDefinition) -> list[str]:
    """The active derived fields and rules whose formula reads `definition`."""
    names = known_names(
        definition.object_type,
        list(FieldDefinition.objects.filter(object_type=definition.object_type)),
    )
    readers = []
    for other in (
        FieldDefinition.objects.filter(object_type=definition.object_type, retired_at__isnull=True)
        .exclude(formula="")
        .exclude(pk=definition.pk)
    ):
        if _reads(other.formula, definition.key, names):
            readers.append(f"the formula of {other.label}")
    for rule in ValidationRule.objects.filter(object_type=definition.object_type, active=True):
        if _reads(rule.condition, definition.key, names):
            readers.append(f"the rule “{rule.name}”")
    return readers


def _reads(source: str, key: str, names: set[str]) -> bool:
    try:
        return key in parse(source, known_names=names).names
    except FormulaError:
        return False


def field_retire(
    *, actor: User, definition: FieldDefinition, retired: bool = True
) -> FieldDefinition:
    """Retiring hides the field from forms, lists and the API's writable fields; the values stay
    on the records and come back if the field is restored. A field that a formula or a rule
    still reads can't be retired: they would silently stop working."""
    if retired:
        users = _readers_of(definition)
        if users:
            raise ValidationError(
                f"{definition.label} is used by {', '.join(users)}. "
                "Change those first, then retire it."
            )
    definition.version += 1
    definition.retired_at = timezone.now() if retired else None
    sort_indexes_sync(definition)
    return retired_set(
        actor=actor,
        obj=definition,
        retired=retired,
        noun="field",
        update_fields=["version", "updated_at"],
    )

"""A company's whole business configuration as JSON, to copy it between environments (test →
production): vocabularies and terms, custom fields, validation rules, stage requirements, and
the policies: the sharing policy (with its withheld fields), the approval rules and the
metrics. Partner mappings, partner classifications and saved views are left out: they name
companies and people, which differ between environments.

Import validates everything first — the document's shape (DRF serializers), references
between its parts, every formula against the fields the import leaves — and then applies it in
one transaction, so a bad document changes nothing. Existing items are updated by key; nothing
is deleted (retire in the document instead)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import serializers

from audit.services import company_audit_entry_record
from business.derived import compiled
from business.formula import FormulaError, parse
from business.indexes import sort_indexes_sync
from business.models import (
    CHOICE_TYPES,
    DERIVABLE_TYPES,
    FieldDefinition,
    FieldType,
    ObjectType,
    StageRequirement,
    Term,
    ValidationRule,
    Vocabulary,
    key_validator,
)
from business.registry import core_fields_of
from business.rules import STAGE_ORDER
from business.services import MAX_FIELDS_PER_TYPE
from business.values import Catalog, coerce
from identity.models import User

FORMAT = "ecosystem-business-configuration"
VERSION = 2  # 2 added the policies; a version 1 file (without them) still imports


# --- export ---------------------------------------------------------------------------------


def configuration_export() -> dict[str, Any]:
    vocabularies = []
    for vocabulary in Vocabulary.objects.prefetch_related("terms__parent").order_by("key"):
        vocabularies.append(
            {
                "key": vocabulary.key,
                "label": vocabulary.label,
                "is_tree": vocabulary.is_tree,
                "terms": [
                    {
                        "key": t.key,
                        "label": t.label,
                        "parent": t.parent.key if t.parent_id else None,
                        "position": t.position,
                        "retired": t.retired_at is not None,
                    }
                    for t in sorted(vocabulary.terms.all(), key=lambda t: (t.position, t.key))
                ],
            }
        )
    fields = [
        {
            "object_type": f.object_type,
            "key": f.key,
            "label": f.label,
            "help_text": f.help_text,
            "field_type": f.field_type,
            "required": f.required,
            "default": f.default,
            "position": f.position,
            "group": f.group,
            "shareable": f.shareable,
            "indexed": f.indexed,
            "vocabulary": f.vocabulary.key if f.vocabulary_id else None,
            "reference_type": f.reference_type,
            "formula": f.formula,
            "retired": f.retired_at is not None,
        }
        for f in FieldDefinition.objects.select_related("vocabulary").order_by("object_type", "key")
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "vocabularies": vocabularies,
        "fields": fields,
        "rules": [
            {
                "object_type": r.object_type,
                "name": r.name,
                "condition": r.condition,
                "message": r.message,
                "active": r.active,
            }
            for r in ValidationRule.objects.order_by("object_type", "name")
        ],
        "stage_requirements": [
            {"field": s.field_name, "from_stage": s.from_stage}
            for s in StageRequirement.objects.order_by("field_name")
        ],
        **_policies_export(),
    }


def _policies_export() -> dict[str, Any]:
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


# --- import: shape --------------------------------------------------------------------------


class _Key(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, validators=[key_validator], **kwargs)


class TermIn(serializers.Serializer):
    key = _Key()
    label = serializers.CharField(max_length=100)
    parent = _Key(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    retired = serializers.BooleanField(required=False, default=False)


class VocabularyIn(serializers.Serializer):
    key = _Key()
    label = serializers.CharField(max_length=100)
    is_tree = serializers.BooleanField(required=False, default=False)
    terms = TermIn(many=True, required=False, default=list)


class FieldIn(serializers.Serializer):
    object_type = serializers.ChoiceField(choices=ObjectType.choices)
    key = _Key()
    label = serializers.CharField(max_length=100)
    help_text = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    field_type = serializers.ChoiceField(choices=FieldType.choices)
    required = serializers.BooleanField(required=False, default=False)
    default = serializers.JSONField(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(min_value=0, required=False, default=0)
    group = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    shareable = serializers.BooleanField(required=False, default=False)
    indexed = serializers.BooleanField(required=False, default=False)
    vocabulary = _Key(required=False, allow_null=True, default=None)
    reference_type = serializers.ChoiceField(
        choices=ObjectType.choices, required=False, allow_blank=True, default=""
    )
    formula = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    retired = serializers.BooleanField(required=False, default=False)


class RuleIn(serializers.Serializer):
    object_type = serializers.ChoiceField(choices=ObjectType.choices)
    name = serializers.CharField(max_length=80)
    condition = serializers.CharField(max_length=2000)
    message = serializers.CharField(max_length=300)
    active = serializers.BooleanField(required=False, default=True)


class RequirementIn(serializers.Serializer):
    field = serializers.CharField(max_length=40)
    from_stage = serializers.ChoiceField(choices=[(s, s) for s in STAGE_ORDER])


def _names(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=60), **kwargs)


class SharingPolicyIn(serializers.Serializer):
    sharer_roles = _names(required=False)
    default_role = serializers.CharField(max_length=12, required=False)
    allow_participant_resharing = serializers.BooleanField(required=False)
    private_core_fields = serializers.DictField(child=_names(), required=False)
    # record type → field → {"partner_types": [...], "deal_roles": [...]}
    withheld_fields = serializers.DictField(
        child=serializers.DictField(child=serializers.DictField(child=_names())),
        required=False,
    )


class ApprovalRuleIn(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True)
    object_type = serializers.CharField(max_length=20)
    min_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    partner_types = _names(required=False, default=list)
    approver_role = serializers.CharField(max_length=10, required=False, default="admin")
    active = serializers.BooleanField(required=False, default=True)


class MetricIn(serializers.Serializer):
    name = serializers.CharField(max_length=80, allow_blank=True)
    object_type = serializers.CharField(max_length=20)
    measure = serializers.CharField(max_length=8, required=False, default="count")
    field = serializers.CharField(max_length=48, required=False, allow_blank=True, default="")
    group_by = serializers.CharField(max_length=48, required=False, allow_blank=True, default="")
    open_only = serializers.BooleanField(required=False, default=False)
    chart = serializers.CharField(max_length=10, required=False, default="bar")
    on_dashboard = serializers.BooleanField(required=False, default=True)
    position = serializers.IntegerField(min_value=0, max_value=10_000, required=False, default=0)


class ConfigurationIn(serializers.Serializer):
    format = serializers.ChoiceField(choices=[(FORMAT, FORMAT)])
    version = serializers.ChoiceField(choices=[(1, "1"), (VERSION, str(VERSION))])
    vocabularies = VocabularyIn(many=True, required=False, default=list)
    fields = FieldIn(many=True, required=False, default=list)
    rules = RuleIn(many=True, required=False, default=list)
    stage_requirements = RequirementIn(many=True, required=False, default=list)
    # the policies: their shape here, their meaning checked by their own services after the
    # schema part is in place
    sharing_policy = SharingPolicyIn(required=False, allow_null=True, default=None)
    approval_rules = ApprovalRuleIn(many=True, required=False, default=list)
    metrics = MetricIn(many=True, required=False, default=list)


def _flatten(errors: Any, path: str = "") -> list[str]:
    """DRF's nested errors as "fields[3].formula: message" lines."""
    if isinstance(errors, dict):
        out = []
        for key, value in errors.items():
            sub = f"{path}.{key}" if path else str(key)
            out += _flatten(value, sub)
        return out
    if isinstance(errors, list):
        if errors and all(isinstance(e, str) for e in errors):
            return [f"{path}: {e}" if path else str(e) for e in errors]
        out = []
        for i, value in enumerate(errors):
            if value:
                out += _flatten(value, f"{path}[{i}]")
        return out
    return [f"{path}: {errors}"]


# --- import: meaning and apply --------------------------------------------------------------


def _check_references(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    existing_vocabularies = {
        v.key: {t.key for t in v.terms.all()} for v in Vocabulary.objects.prefetch_related("terms")
    }
    vocabulary_terms = dict(existing_vocabularies)
    canonical = set(Vocabulary.objects.filter(is_canonical=True).values_list("key", flat=True))
    for i, vocabulary in enumerate(data["vocabularies"]):
        keys = [t["key"] for t in vocabulary["terms"]]
        if vocabulary["key"] in canonical:
            extra = sorted(set(keys) - existing_vocabularies.get(vocabulary["key"], set()))
            if extra:
                problems.append(
                    f"vocabularies[{i}]: “{vocabulary['key']}” holds the network's values; "
                    f"it can't get new terms ({', '.join(extra)}), only your names for them."
                )
        if len(keys) != len(set(keys)):
            problems.append(f"vocabularies[{i}]: a term key appears twice.")
        vocabulary_terms[vocabulary["key"]] = set(keys) | existing_vocabularies.get(
            vocabulary["key"], set()
        )
        for j, term in enumerate(vocabulary["terms"]):
            if term["parent"] and not vocabulary["is_tree"]:
                problems.append(
                    f"vocabularies[{i}].terms[{j}]: “{vocabulary['key']}” is a list; its terms have no parents."
                )
            elif term["parent"] and term["parent"] not in vocabulary_terms[vocabulary["key"]]:
                problems.append(f"vocabularies[{i}].terms[{j}].parent: no term “{term['parent']}”.")
            elif term["parent"] == term["key"]:
                problems.append(
                    f"vocabularies[{i}].terms[{j}].parent: a term can't be its own parent."
                )
    seen_fields: set[tuple[str, str]] = set()
    for i, field in enumerate(data["fields"]):
        ident = (field["object_type"], field["key"])
        if ident in seen_fields:
            problems.append(
                f"fields[{i}]: “{field['key']}” appears twice for {field['object_type']}."
            )
        seen_fields.add(ident)
        if field["field_type"] in CHOICE_TYPES and not field["vocabulary"]:
            problems.append(f"fields[{i}].vocabulary: a choice field needs a vocabulary.")
        elif field["vocabulary"] and field["vocabulary"] not in vocabulary_terms:
            problems.append(f"fields[{i}].vocabulary: no vocabulary “{field['vocabulary']}”.")
        if field["formula"] and field["field_type"] not in DERIVABLE_TYPES:
            problems.append(
                f"fields[{i}].formula: a formula's result can be a number, money, percent, date or text."
            )
        if field["field_type"] == FieldType.REFERENCE and not field["reference_type"]:
            problems.append(f"fields[{i}].reference_type: say what kind of record it links to.")
        if field["default"] not in (None, "", []) and not field["formula"]:
            problems += _default_problems(i, field, vocabulary_terms)
        current = FieldDefinition.objects.filter(
            object_type=field["object_type"], key=field["key"]
        ).first()
        if current and current.field_type != field["field_type"]:
            problems.append(
                f"fields[{i}]: “{field['key']}” is a {current.get_field_type_display().lower()} field here; "
                "change a field's type in Settings → Fields, where you see which values would not convert."
            )
        elif current and field["formula"] and not current.formula:
            from business.services import typed_values_of

            typed = len(typed_values_of(current))
            if typed:
                problems.append(
                    f"fields[{i}]: {typed} records hold a typed-in “{field['key']}” that the formula "
                    "would replace; make it computed in Settings → Fields, where you confirm that."
                )
    for object_type, count in _resulting_counts(data).items():
        if count > MAX_FIELDS_PER_TYPE:
            problems.append(
                f"fields: {object_type} would have {count} fields; the most is {MAX_FIELDS_PER_TYPE}."
            )
    return problems


def _resulting_counts(data: dict[str, Any]) -> dict[str, int]:
    keys = {(d.object_type, d.key) for d in FieldDefinition.objects.only("object_type", "key")}
    keys |= {(f["object_type"], f["key"]) for f in data["fields"]}
    counts: dict[str, int] = {}
    for object_type, _ in keys:
        counts[object_type] = counts.get(object_type, 0) + 1
    return counts


def _default_problems(
    i: int, field: dict[str, Any], vocabulary_terms: dict[str, set[str]]
) -> list[str]:
    """A default must be a valid value of its field (choices: a term of its vocabulary)."""
    if field["field_type"] in CHOICE_TYPES:
        values = field["default"] if isinstance(field["default"], list) else [field["default"]]
        missing = [
            str(v)
            for v in values
            if str(v) not in vocabulary_terms.get(field["vocabulary"] or "", set())
        ]
        return (
            [
                f"fields[{i}].default: “{', '.join(missing)}” is not a term of “{field['vocabulary']}”."
            ]
            if missing
            else []
        )
    if field["field_type"] in (FieldType.USER, FieldType.REFERENCE):
        return [f"fields[{i}].default: {field['field_type']} fields can't have a default."]
    probe = FieldDefinition(key=field["key"], label=field["label"], field_type=field["field_type"])
    try:
        coerce(probe, field["default"], Catalog([probe]))
    except ValidationError as exc:
        return [f"fields[{i}].default: {' '.join(exc.messages)}"]
    return []


def _resulting_definitions(data: dict[str, Any]) -> dict[str, list[FieldDefinition]]:
    """The fields per record type as they will be after the import (unsaved objects)."""
    result: dict[str, dict[str, FieldDefinition]] = {}
    for definition in FieldDefinition.objects.all():
        result.setdefault(definition.object_type, {})[definition.key] = definition
    for field in data["fields"]:
        result.setdefault(field["object_type"], {})[field["key"]] = FieldDefinition(
            object_type=field["object_type"],
            key=field["key"],
            label=field["label"],
            field_type=field["field_type"],
            formula=field["formula"],
            retired_at=None if not field["retired"] else "2000-01-01T00:00:00Z",
        )
    return {k: list(v.values()) for k, v in result.items()}


def _check_formulas(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    definitions = _resulting_definitions(data)
    for object_type, fields in definitions.items():
        try:
            compiled(object_type, fields)
        except FormulaError as exc:
            problems.append(f"fields ({object_type}): {exc}")
    for i, rule in enumerate(data["rules"]):
        names = set(core_fields_of(rule["object_type"])) | {
            d.key for d in definitions.get(rule["object_type"], []) if not d.retired_at
        }
        try:
            parse(rule["condition"], known_names=names)
        except FormulaError as exc:
            problems.append(f"rules[{i}].condition: {exc}")
    opportunity_fields = set(core_fields_of(ObjectType.OPPORTUNITY)) | {
        d.key for d in definitions.get(ObjectType.OPPORTUNITY, []) if not d.retired_at
    }
    for i, requirement in enumerate(data["stage_requirements"]):
        if requirement["field"] not in opportunity_fields:
            problems.append(
                f"stage_requirements[{i}].field: no opportunity field “{requirement['field']}”."
            )
    return problems


def configuration_import(*, actor: User, document: Any) -> dict[str, int]:
    """Validates `document` completely, then applies it in one transaction. ValidationError
    with one line per problem ("fields[3].formula: …") and nothing changed otherwise."""
    shape = ConfigurationIn(data=document if isinstance(document, dict) else {})
    if not isinstance(document, dict):
        raise ValidationError(["The file must hold one JSON object (an export of this page)."])
    if not shape.is_valid():
        raise ValidationError(_flatten(shape.errors))
    data = shape.validated_data
    problems = _check_references(data) or _check_formulas(data)
    if problems:
        raise ValidationError(problems)
    counts = {"vocabularies": 0, "terms": 0, "fields": 0, "rules": 0, "stage_requirements": 0}
    from django.utils import timezone

    now = timezone.now()
    with transaction.atomic():
        for spec in data["vocabularies"]:
            vocabulary, _ = Vocabulary.objects.update_or_create(
                key=spec["key"], defaults={"label": spec["label"], "is_tree": spec["is_tree"]}
            )
            counts["vocabularies"] += 1
            by_key = {t.key: t for t in vocabulary.terms.all()}
            for term in spec["terms"]:
                row = by_key.get(term["key"]) or Term(vocabulary=vocabulary, key=term["key"])
                row.label, row.position = term["label"], term["position"]
                if not vocabulary.is_canonical:
                    row.retired_at = (row.retired_at or now) if term["retired"] else None
                row.save()
                by_key[row.key] = row
                counts["terms"] += 1
            for term in spec["terms"]:
                parent = by_key.get(term["parent"]) if term["parent"] else None
                row = by_key[term["key"]]
                if row.parent_id != (parent.pk if parent else None):
                    row.parent = parent
                    row.save(update_fields=["parent"])
        vocabularies = {v.key: v for v in Vocabulary.objects.all()}
        for spec in data["fields"]:
            definition = FieldDefinition.objects.filter(
                object_type=spec["object_type"], key=spec["key"]
            ).first() or FieldDefinition(object_type=spec["object_type"], key=spec["key"])
            for name in (
                "label",
                "help_text",
                "field_type",
                "required",
                "default",
                "position",
                "group",
                "shareable",
                "indexed",
                "reference_type",
                "formula",
            ):
                setattr(definition, name, spec[name])
            definition.vocabulary = (
                vocabularies.get(spec["vocabulary"]) if spec["vocabulary"] else None
            )
            definition.retired_at = (definition.retired_at or now) if spec["retired"] else None
            if definition.formula:
                definition.required, definition.default = False, None
            definition.save()
            sort_indexes_sync(definition)
            counts["fields"] += 1
        for spec in data["rules"]:
            ValidationRule.objects.update_or_create(
                object_type=spec["object_type"],
                name=spec["name"],
                defaults={k: spec[k] for k in ("condition", "message", "active")},
            )
            counts["rules"] += 1
        for spec in data["stage_requirements"]:
            StageRequirement.objects.update_or_create(
                field_name=spec["field"], defaults={"from_stage": spec["from_stage"]}
            )
            counts["stage_requirements"] += 1
        counts |= _policies_import(actor=actor, data=data)
        company_audit_entry_record(
            actor=actor, action="business.configuration_imported", after=counts
        )
        if any(spec["formula"] for spec in data["fields"]):
            from business.services import schedule_derived_recompute

            for object_type in {s["object_type"] for s in data["fields"] if s["formula"]}:
                schedule_derived_recompute(object_type)
    return counts


def _policies_import(*, actor: User, data: dict[str, Any]) -> dict[str, int]:
    """Applies the policy sections through their own services (same checks as the settings
    pages), after vocabularies and fields are in place. Raises one ValidationError listing
    every problem; the caller's transaction then takes the whole import back."""
    from approvals.models import ApprovalRule
    from approvals.services import approval_rule_clean
    from business.policy import sharing_policy_update
    from reports.models import Metric
    from reports.services import metric_clean

    problems: list[str] = []
    counts = {"policies": 0, "approval_rules": 0, "metrics": 0}
    if data.get("sharing_policy"):
        try:
            sharing_policy_update(actor=actor, data=dict(data["sharing_policy"]))
            counts["policies"] = 1
        except ValidationError as exc:
            problems += [f"sharing_policy.{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
    for i, spec in enumerate(data.get("approval_rules") or []):
        try:
            clean = approval_rule_clean(spec)
        except ValidationError as exc:
            problems += [
                f"approval_rules[{i}].{k}: {' '.join(v)}" for k, v in exc.message_dict.items()
            ]
            continue
        ApprovalRule.objects.update_or_create(
            object_type=clean["object_type"],
            name=clean["name"],
            defaults={**clean, "active": bool(spec.get("active", True))},
        )
        counts["approval_rules"] += 1
    for i, spec in enumerate(data.get("metrics") or []):
        try:
            clean = metric_clean(spec)
        except ValidationError as exc:
            problems += [f"metrics[{i}].{k}: {' '.join(v)}" for k, v in exc.message_dict.items()]
            continue
        Metric.objects.update_or_create(name=clean["name"], defaults=clean)
        counts["metrics"] += 1
    if problems:
        raise ValidationError(problems)
    return counts

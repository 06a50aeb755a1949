"""Importing a configuration: validate the whole document, then apply it in one transaction,
so a bad document changes nothing. Items are matched by key (fields by record type and key,
rules by record type and name) and updated in place; nothing is deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.configuration.policies import policies_import
from business.configuration.shapes import ConfigurationIn, errors_flatten
from business.configuration.validate import configuration_problems
from business.indexes import sort_indexes_sync
from business.models import FieldDefinition, StageRequirement, Term, ValidationRule, Vocabulary
from business.services import schedule_derived_recompute
from identity.models import User

# What an import sets on a field definition as the document says it (vocabulary and retired
# are resolved first).
FIELD_ATTRIBUTES = (
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
)


def configuration_import(*, actor: User, document: Any) -> dict[str, int]:
    """Validates `document` completely, then applies it in one transaction. ValidationError
    with one line per problem ("fields[3].formula: …") and nothing changed otherwise."""
    data = _validated(document)
    now = timezone.now()
    with transaction.atomic():
        counts = _vocabularies_apply(data["vocabularies"], now=now)
        counts["fields"] = _fields_apply(data["fields"], now=now)
        counts["rules"] = _rules_apply(data["rules"])
        counts["stage_requirements"] = _stage_requirements_apply(data["stage_requirements"])
        counts |= policies_import(actor=actor, data=data)
        company_audit_entry_record(
            actor=actor, action=AuditAction.BUSINESS_CONFIGURATION_IMPORTED, after=counts
        )
        for object_type in {s["object_type"] for s in data["fields"] if s["formula"]}:
            schedule_derived_recompute(object_type)
    return counts


def _validated(document: Any) -> dict[str, Any]:
    shape = ConfigurationIn(data=document if isinstance(document, dict) else {})
    if not isinstance(document, dict):
        raise ValidationError(["The file must hold one JSON object (an export of this page)."])
    if not shape.is_valid():
        raise ValidationError(errors_flatten(shape.errors))
    data = shape.validated_data
    problems = configuration_problems(data)
    if problems:
        raise ValidationError(problems)
    return data


def _vocabularies_apply(specs: list[dict[str, Any]], *, now: dt.datetime) -> dict[str, int]:
    counts = {"vocabularies": 0, "terms": 0}
    for spec in specs:
        vocabulary, _ = Vocabulary.objects.update_or_create(
            key=spec["key"], defaults={"label": spec["label"], "is_tree": spec["is_tree"]}
        )
        counts["vocabularies"] += 1
        counts["terms"] += _terms_apply(vocabulary, spec["terms"], now=now)
    return counts


def _terms_apply(vocabulary: Vocabulary, specs: list[dict[str, Any]], *, now: dt.datetime) -> int:
    """Saves the terms, then their parents (a parent may come later in the list). The
    network's own vocabularies take names and positions only: their terms never retire."""
    by_key = {t.key: t for t in vocabulary.terms.all()}
    for term in specs:
        row = by_key.get(term["key"]) or Term(vocabulary=vocabulary, key=term["key"])
        row.label, row.position = term["label"], term["position"]
        if not vocabulary.is_canonical:
            row.retired_at = (row.retired_at or now) if term["retired"] else None
        row.save()
        by_key[row.key] = row
    for term in specs:
        parent = by_key.get(term["parent"]) if term["parent"] else None
        row = by_key[term["key"]]
        if row.parent_id != (parent.pk if parent else None):
            row.parent = parent
            row.save(update_fields=["parent"])
    return len(specs)


def _fields_apply(specs: list[dict[str, Any]], *, now: dt.datetime) -> int:
    vocabularies = {v.key: v for v in Vocabulary.objects.all()}
    for spec in specs:
        definition = FieldDefinition.objects.filter(
            object_type=spec["object_type"], key=spec["key"]
        ).first() or FieldDefinition(object_type=spec["object_type"], key=spec["key"])
        for name in FIELD_ATTRIBUTES:
            setattr(definition, name, spec[name])
        definition.vocabulary = vocabularies.get(spec["vocabulary"]) if spec["vocabulary"] else None
        definition.retired_at = (definition.retired_at or now) if spec["retired"] else None
        if definition.formula:
            definition.required, definition.default = False, None
        definition.save()
        sort_indexes_sync(definition)
    return len(specs)


def _rules_apply(specs: list[dict[str, Any]]) -> int:
    for spec in specs:
        ValidationRule.objects.update_or_create(
            object_type=spec["object_type"],
            name=spec["name"],
            defaults={k: spec[k] for k in ("condition", "message", "active")},
        )
    return len(specs)


def _stage_requirements_apply(specs: list[dict[str, Any]]) -> int:
    for spec in specs:
        StageRequirement.objects.update_or_create(
            field_name=spec["field"], defaults={"from_stage": spec["from_stage"]}
        )
    return len(specs)

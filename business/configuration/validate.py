"""What a configuration document means, checked before anything is written: references
between its parts (terms, vocabularies, fields), each field against what this company already
has, the number of fields per record type, and every formula, rule and stage requirement
against the fields the import leaves. Each problem is one line that says where it is
("fields[3].formula: …")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from business.derived import compiled
from business.formula import FormulaError, parse
from business.models import (
    CHOICE_TYPES,
    DERIVABLE_TYPES,
    FieldDefinition,
    FieldType,
    ObjectType,
    Vocabulary,
)
from business.registry import core_fields_of
from business.services import MAX_FIELDS_PER_TYPE, typed_values_of
from business.values import Catalog, coerce


def configuration_problems(data: dict[str, Any]) -> list[str]:
    """Every problem of a well-shaped document (`shapes.ConfigurationIn`'s validated data) in
    the current (company) schema; formulas are checked only once the references hold."""
    return _references_problems(data) or _formulas_problems(data)


# --- references -----------------------------------------------------------------------------


def _references_problems(data: dict[str, Any]) -> list[str]:
    problems, vocabulary_terms = _vocabularies_problems(data["vocabularies"])
    seen_fields: set[tuple[str, str]] = set()
    for i, field in enumerate(data["fields"]):
        ident = (field["object_type"], field["key"])
        if ident in seen_fields:
            problems.append(
                f"fields[{i}]: “{field['key']}” appears twice for {field['object_type']}."
            )
        seen_fields.add(ident)
        problems += _field_problems(i, field, vocabulary_terms)
        problems += _field_change_problems(i, field)
    return problems + _field_count_problems(data)


def _vocabularies_problems(
    vocabularies: list[dict[str, Any]],
) -> tuple[list[str], dict[str, set[str]]]:
    """The vocabularies' problems, and every vocabulary's term keys after the import."""
    problems: list[str] = []
    existing = {
        v.key: {t.key for t in v.terms.all()} for v in Vocabulary.objects.prefetch_related("terms")
    }
    vocabulary_terms = dict(existing)
    canonical = set(Vocabulary.objects.filter(is_canonical=True).values_list("key", flat=True))
    for i, vocabulary in enumerate(vocabularies):
        keys = [t["key"] for t in vocabulary["terms"]]
        if vocabulary["key"] in canonical:
            extra = sorted(set(keys) - existing.get(vocabulary["key"], set()))
            if extra:
                problems.append(
                    f"vocabularies[{i}]: “{vocabulary['key']}” holds the network's values; "
                    f"it can't get new terms ({', '.join(extra)}), only your names for them."
                )
        if len(keys) != len(set(keys)):
            problems.append(f"vocabularies[{i}]: a term key appears twice.")
        vocabulary_terms[vocabulary["key"]] = set(keys) | existing.get(vocabulary["key"], set())
        for j, term in enumerate(vocabulary["terms"]):
            problems += _term_problems(
                f"vocabularies[{i}].terms[{j}]", term, vocabulary, vocabulary_terms
            )
    return problems, vocabulary_terms


def _term_problems(
    where: str,
    term: dict[str, Any],
    vocabulary: dict[str, Any],
    vocabulary_terms: dict[str, set[str]],
) -> list[str]:
    if not term["parent"]:
        return []
    if not vocabulary["is_tree"]:
        return [f"{where}: “{vocabulary['key']}” is a list; its terms have no parents."]
    if term["parent"] not in vocabulary_terms[vocabulary["key"]]:
        return [f"{where}.parent: no term “{term['parent']}”."]
    if term["parent"] == term["key"]:
        return [f"{where}.parent: a term can't be its own parent."]
    return []


def _field_problems(
    i: int, field: dict[str, Any], vocabulary_terms: dict[str, set[str]]
) -> list[str]:
    """What is wrong with the field on its own (its vocabulary, formula, link, default)."""
    problems = []
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
    return problems


def _field_change_problems(i: int, field: dict[str, Any]) -> list[str]:
    """Changes to an existing field that need the admin's eyes on the settings page: a new
    type (values may not convert) and a formula replacing typed-in values."""
    current = FieldDefinition.objects.filter(
        object_type=field["object_type"], key=field["key"]
    ).first()
    if current is None:
        return []
    if current.field_type != field["field_type"]:
        return [
            f"fields[{i}]: “{field['key']}” is a {current.get_field_type_display().lower()} field here; "
            "change a field's type in Settings → Fields, where you see which values would not convert."
        ]
    if field["formula"] and not current.formula:
        typed = len(typed_values_of(current))
        if typed:
            return [
                f"fields[{i}]: {typed} records hold a typed-in “{field['key']}” that the formula "
                "would replace; make it computed in Settings → Fields, where you confirm that."
            ]
    return []


def _field_count_problems(data: dict[str, Any]) -> list[str]:
    return [
        f"fields: {object_type} would have {count} fields; the most is {MAX_FIELDS_PER_TYPE}."
        for object_type, count in _resulting_counts(data).items()
        if count > MAX_FIELDS_PER_TYPE
    ]


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


# --- formulas -------------------------------------------------------------------------------


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


def _formulas_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    definitions = _resulting_definitions(data)
    for object_type, fields in definitions.items():
        try:
            compiled(object_type, fields)
        except FormulaError as exc:
            problems.append(f"fields ({object_type}): {exc}")

    def names_of(object_type: str) -> set[str]:
        return set(core_fields_of(object_type)) | {
            d.key for d in definitions.get(object_type, []) if not d.retired_at
        }

    for i, rule in enumerate(data["rules"]):
        try:
            parse(rule["condition"], known_names=names_of(rule["object_type"]))
        except FormulaError as exc:
            problems.append(f"rules[{i}].condition: {exc}")
    opportunity_fields = names_of(ObjectType.OPPORTUNITY)
    for i, requirement in enumerate(data["stage_requirements"]):
        if requirement["field"] not in opportunity_fields:
            problems.append(
                f"stage_requirements[{i}].field: no opportunity field “{requirement['field']}”."
            )
    return problems

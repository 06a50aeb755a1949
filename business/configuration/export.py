"""Exporting the configuration: everything a company set up, keyed by the keys and names an
import matches on (never by database ids)."""

from __future__ import annotations

from typing import Any

from business.configuration.policies import policies_export
from business.configuration.shapes import FORMAT, VERSION
from business.models import FieldDefinition, StageRequirement, ValidationRule, Vocabulary


def configuration_export() -> dict[str, Any]:
    """The current (company) schema's configuration as one JSON-ready document."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "vocabularies": _vocabularies_export(),
        "fields": _fields_export(),
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
        **policies_export(),
    }


def _vocabularies_export() -> list[dict[str, Any]]:
    return [
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
        for vocabulary in Vocabulary.objects.prefetch_related("terms__parent").order_by("key")
    ]


def _fields_export() -> list[dict[str, Any]]:
    return [
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

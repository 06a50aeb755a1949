"""A connection's mapping, ready to run: each enabled CRM object with its field mappings,
their targets on our side and the company's vocabularies, so converting a record costs no
query. The preview and the sync use the same code, so what the preview shows is what a sync
writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from business.models import Term
from integrations.convert import Unconvertible, to_local, to_remote
from integrations.models import FieldMapping, ObjectMapping, SystemOfRecord
from integrations.targets import TargetField, target_map


@dataclass
class CompiledField:
    mapping: FieldMapping
    target: TargetField

    @property
    def remote(self) -> str:
        return self.mapping.remote_field

    @property
    def local(self) -> str:
        return self.mapping.local_field

    @property
    def sor(self) -> str:
        return self.mapping.system_of_record

    @property
    def pulls(self) -> bool:
        return self.sor in (SystemOfRecord.CRM, SystemOfRecord.BOTH)

    @property
    def pushes(self) -> bool:
        return self.sor in (SystemOfRecord.NETWORK, SystemOfRecord.BOTH)


@dataclass
class CompiledObject:
    mapping: ObjectMapping
    fields: list[CompiledField]
    terms: dict[str, set[str]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.mapping.kind

    @property
    def remote_object(self) -> str:
        return self.mapping.remote_object

    @property
    def remote_fields(self) -> list[str]:
        return [f.remote for f in self.fields]

    @property
    def local_fields(self) -> list[str]:
        return [f.local for f in self.fields]

    def to_local(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """(our values, {our field: why it didn't convert})."""
        out: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.fields:
            try:
                out[f.local] = to_local(
                    values.get(f.remote),
                    target=f.target,
                    value_map=f.mapping.value_map,
                    transform=f.mapping.transform,
                    terms=self.terms,
                )
            except Unconvertible as exc:
                errors[f.local] = str(exc)
        return out, errors

    def to_remote(self, values: dict[str, Any], only: set[str] | None = None) -> dict[str, Any]:
        """Our values as the CRM's fields (only the pushable ones, or those in `only`).
        Raises Unconvertible for a value the value map can't send back."""
        out = {}
        for f in self.fields:
            if not f.pushes or (only is not None and f.local not in only) or f.local not in values:
                continue
            out[f.remote] = to_remote(
                values[f.local], target=f.target, value_map=f.mapping.value_map
            )
        return out


def vocabulary_terms() -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {}
    for vocabulary, key in Term.objects.filter(retired_at__isnull=True).values_list(
        "vocabulary__key", "key"
    ):
        terms.setdefault(vocabulary, set()).add(key)
    return terms


def compile_object(
    mapping: ObjectMapping, terms: dict[str, set[str]] | None = None
) -> CompiledObject:
    targets = target_map(mapping.kind)
    fields = [
        CompiledField(fm, targets[fm.local_field])
        for fm in mapping.fields.all()
        if fm.local_field in targets  # a custom field since retired maps nothing
    ]
    return CompiledObject(mapping, fields, terms if terms is not None else vocabulary_terms())


def compiled_mappings(connection_id: Any) -> list[CompiledObject]:
    """Enabled objects, accounts before opportunities (a deal's account must exist first)."""
    terms = vocabulary_terms()
    objects = ObjectMapping.objects.filter(
        connection_id=connection_id, enabled=True
    ).prefetch_related("fields")
    order = {"account": 0, "opportunity": 1}
    return sorted(
        (compile_object(m, terms) for m in objects),
        key=lambda c: (order.get(c.kind, 9), c.mapping.position),
    )

"""Our side of a mapping: the fields a CRM field can be mapped onto, per kind — the core
fields of accounts and opportunities and every custom field the company defined — with the
type a value must convert to."""

from __future__ import annotations

from dataclasses import dataclass

from business.models import FieldType
from business.selectors import fields_of


@dataclass(frozen=True)
class TargetField:
    key: str  # "amount", or "custom.<key>"
    label: str
    type: str  # text, long_text, number, money, percent, date, choice, domains, reference, email, url, currency
    required: bool = False
    # for choice fields: the vocabulary its values come from ("stages", "industries" …)
    vocabulary: str = ""
    # for reference fields: the kind it points at
    kind: str = ""
    max_length: int | None = None

    @property
    def is_custom(self) -> bool:
        return self.key.startswith("custom.")


CORE: dict[str, list[TargetField]] = {
    "account": [
        TargetField("name", "Name", "text", required=True, max_length=200),
        TargetField("domains", "Web domains", "domains"),
        TargetField("industry", "Industry", "choice", vocabulary="industries"),
        TargetField("region", "Region", "choice", vocabulary="regions"),
        TargetField("market_unit", "Market unit", "choice", vocabulary="market_units"),
        TargetField("description", "Description", "long_text", max_length=10_000),
    ],
    "opportunity": [
        TargetField("name", "Deal name", "text", max_length=200),
        TargetField("account", "Account (customer)", "reference", required=True, kind="account"),
        TargetField("amount", "Amount", "number", required=True),
        TargetField("currency", "Currency", "currency"),
        TargetField("close_date", "Close date", "date", required=True),
        TargetField("stage", "Stage", "choice", vocabulary="stages"),
        TargetField("motion", "Motion", "choice", vocabulary="motions"),
        TargetField("next_step", "Next step", "text", max_length=500),
        TargetField("private_notes", "Private notes", "long_text", max_length=10_000),
    ],
}
# kinds a CRM object can map onto
KINDS = {"account": "Accounts", "opportunity": "Opportunities"}

_CUSTOM_TYPES = {
    FieldType.TEXT: "text",
    FieldType.LONG_TEXT: "long_text",
    FieldType.NUMBER: "number",
    FieldType.MONEY: "money",
    FieldType.PERCENT: "percent",
    FieldType.DATE: "date",
    FieldType.CHOICE: "choice",
    FieldType.URL: "url",
    FieldType.EMAIL: "email",
}


def target_fields(kind: str) -> list[TargetField]:
    """Core fields first, then the company's custom fields (derived ones are computed here,
    never written by a sync; user, multi-choice and reference fields aren't mapped yet)."""
    out = list(CORE.get(kind, []))
    for definition in fields_of(object_type=kind):
        kind_of_value = _CUSTOM_TYPES.get(definition.field_type)
        if kind_of_value is None or definition.formula:
            continue
        out.append(
            TargetField(
                f"custom.{definition.key}",
                definition.label,
                kind_of_value,
                required=definition.required,
                vocabulary=definition.vocabulary.key if definition.vocabulary_id else "",
                max_length=500 if kind_of_value == "text" else None,
            )
        )
    return out


def target_map(kind: str) -> dict[str, TargetField]:
    return {t.key: t for t in target_fields(kind)}

"""Computing a metric: one aggregate query over the company's own records (grouped, counted
and summed in PostgreSQL), then labels in the company's words, fiscal quarters, ordering and
an "Other" bucket in Python. Money is summed in the workspace's currency only; records in
other currencies are counted as left out, never converted with a rate we don't have."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, TruncMonth

from business.models import FieldDefinition, FieldType
from business.registry import model_for
from kinds import Metrics, kind_get, kinds_all
from reports.models import ChartType, Measure, Metric

CUSTOM = "custom."
MAX_GROUPS = 12
STAGE_ORDER = ["prospect", "qualify", "propose", "negotiate", "won", "lost"]
NONE_LABEL = "Not set"


class _ByKind(Mapping[str, Mapping]):
    """A per-kind table read from each kind's spec (kinds registry), e.g. its numbers."""

    def __init__(self, pick: Callable[[Metrics], Mapping]):
        self._pick = pick

    def __getitem__(self, key: str) -> Mapping:
        spec = kind_get(key)
        if spec is None:
            raise KeyError(key)
        return self._pick(spec.metrics)

    def __iter__(self) -> Iterator[str]:
        return (k.key for k in kinds_all())

    def __len__(self) -> int:
        return len(kinds_all())


# Built-in numeric fields per record type: name → (label, unit).
CORE_MEASURES = _ByKind(lambda m: m.numbers)
# Built-in groupings per record type: name → label.
CORE_GROUPS = _ByKind(lambda m: m.groupings)
TIME_GROUPS = {
    "close_month": ("close_date", "month"),
    "close_quarter": ("close_date", "quarter"),
    "period_quarter": ("period_start", "quarter"),
}
PERSON_GROUPS = {"owner": "owner_id", "manager": "manager_id"}
# what JSON numbers are added up as (exact, wide enough for any sum of amounts)
NUMERIC = DecimalField(max_digits=30, decimal_places=6)
MEASURABLE_TYPES = (FieldType.NUMBER, FieldType.MONEY, FieldType.PERCENT)
GROUPABLE_TYPES = (FieldType.CHOICE, FieldType.USER)


def measure_choices(object_type: str, definitions: list[FieldDefinition]) -> list[tuple[str, str]]:
    core = [(name, label) for name, (label, _) in CORE_MEASURES.get(object_type, {}).items()]
    custom = [
        (f"{CUSTOM}{d.key}", d.label)
        for d in definitions
        if d.object_type == object_type and d.field_type in MEASURABLE_TYPES and not d.retired_at
    ]
    return core + custom


def group_choices(object_type: str, definitions: list[FieldDefinition]) -> list[tuple[str, str]]:
    core = list(CORE_GROUPS.get(object_type, {}).items())
    custom = [
        (f"{CUSTOM}{d.key}", d.label)
        for d in definitions
        if d.object_type == object_type and d.field_type in GROUPABLE_TYPES and not d.retired_at
    ]
    return core + custom


@dataclass
class MetricData:
    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    total: float = 0.0
    records: int = 0
    left_out: int = 0  # records in another currency than the workspace's
    currency: str = ""
    unit: str = "count"  # count, money, number, percent
    problem: str = ""  # the definition no longer fits the schema (a field was retired...)
    computed_at: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "computed_at": self.computed_at,
            "labels": self.labels,
            "values": self.values,
            "total": self.total,
            "records": self.records,
            "left_out": self.left_out,
            "currency": self.currency,
            "unit": self.unit,
            "problem": self.problem,
        }


def _definition(metric_field: str, definitions: list[FieldDefinition]) -> FieldDefinition | None:
    key = metric_field.removeprefix(CUSTOM)
    return next((d for d in definitions if d.key == key), None)


def _fiscal_quarter(month: dt.date, start_month: int) -> tuple[tuple[int, int], str]:
    offset = (month.month - start_month) % 12
    quarter = offset // 3 + 1
    year = month.year + (1 if start_month != 1 and month.month >= start_month else 0)
    label = f"Q{quarter} {year}" if start_month == 1 else f"Q{quarter} FY{year}"
    return (year, quarter), label


class _Unmeasurable(Exception):
    """The metric names something that is gone or retired: shown on the card, not raised."""


@dataclass
class _Measure:
    expression: Any = None  # None: count only
    currency: Any = None  # the money value's currency expression, when it is money
    unit: str = "count"


def _measure(metric: Metric, definitions: list[FieldDefinition]) -> _Measure:
    """What the metric adds up: a built-in number, or a custom number, money or percent."""
    if metric.measure == Measure.COUNT:
        return _Measure()
    if metric.field in CORE_MEASURES.get(metric.object_type, {}):
        unit = CORE_MEASURES[metric.object_type][metric.field][1]
        return _Measure(F(metric.field), F("currency") if unit == "money" else None, unit)
    definition = _definition(metric.field, definitions)
    if definition is None or definition.field_type not in MEASURABLE_TYPES:
        raise _Unmeasurable("The field this metric measures is gone; edit the metric.")
    if definition.retired_at:
        raise _Unmeasurable(f"“{definition.label}” is retired; edit the metric.")
    if definition.field_type == FieldType.MONEY:
        path = KeyTransform(definition.key, "custom")
        return _Measure(
            Cast(KeyTextTransform("amount", path), NUMERIC),
            KeyTextTransform("currency", path),
            "money",
        )
    unit = "percent" if definition.field_type == FieldType.PERCENT else "number"
    return _Measure(Cast(KeyTextTransform(definition.key, "custom"), NUMERIC), None, unit)


def _grouping(metric: Metric, definitions: list[FieldDefinition]) -> tuple[Any, Any]:
    """The expression rows are grouped by (None: one figure) and the custom field behind it."""
    if metric.group_by in TIME_GROUPS:
        return TruncMonth(TIME_GROUPS[metric.group_by][0]), None
    if metric.group_by in PERSON_GROUPS:
        return F(PERSON_GROUPS[metric.group_by]), None
    if metric.group_by.startswith(CUSTOM):
        definition = _definition(metric.group_by, definitions)
        if definition is None or definition.field_type not in GROUPABLE_TYPES:
            raise _Unmeasurable("The field this metric groups by is gone; edit the metric.")
        if definition.retired_at:
            raise _Unmeasurable(f"“{definition.label}” is retired; edit the metric.")
        return KeyTextTransform(definition.key, "custom"), definition
    return (F(metric.group_by) if metric.group_by else None), None


def _records(metric: Metric, model: type) -> QuerySet:
    qs: QuerySet = model.objects.all()
    if hasattr(model, "archived_at"):
        qs = qs.filter(archived_at__isnull=True)
    spec = kind_get(metric.object_type)
    if metric.open_only and spec is not None and spec.metrics.open_exclude:
        qs = qs.exclude(**spec.metrics.open_exclude)
    return qs


@dataclass
class _Groups:
    """Rows folded by group: key → [records, total], with time groups' labels and order."""

    totals: dict[Any, list] = field(default_factory=lambda: defaultdict(lambda: [0, Decimal(0)]))
    order: dict[Any, Any] = field(default_factory=dict)
    names: dict[Any, str] = field(default_factory=dict)


def _fold(metric: Metric, rows: list[dict], data: MetricData, fiscal_start_month: int) -> _Groups:
    """Adds rows up by group; rows in another currency than the workspace's are left out."""
    groups = _Groups()
    for row in rows:
        n = row.get("n") or 0
        if "cur" in row and row.get("cur") not in (data.currency, None):
            data.left_out += n
            continue
        key = row.get("g")
        if metric.group_by in TIME_GROUPS and key is not None:
            month = key.date() if isinstance(key, dt.datetime) else key
            if TIME_GROUPS[metric.group_by][1] == "quarter":
                sort, label = _fiscal_quarter(month, fiscal_start_month)
            else:
                sort, label = (month.year, month.month), month.strftime("%b %Y")
            key, groups.order[label], groups.names[label] = label, sort, label
        groups.totals[key][0] += n
        groups.totals[key][1] += Decimal(row.get("total") or 0)
        data.records += n
    return groups


def _label_of(
    metric: Metric,
    key: Any,
    *,
    groups: _Groups,
    group_definition: FieldDefinition | None,
    labels: dict[str, dict[str, str]],
    people: dict[int, str],
    terms: dict[tuple[int, str], str],
) -> str:
    if key is None or key == "":
        return NONE_LABEL
    if key in groups.names:
        return groups.names[key]
    if metric.group_by in ("stage", "motion"):
        return labels[metric.group_by].get(key, key)
    if metric.group_by in PERSON_GROUPS or (
        group_definition is not None and group_definition.field_type == FieldType.USER
    ):
        try:
            return people.get(int(key), "Former member")
        except (TypeError, ValueError):
            return str(key)
    if metric.group_by == "partner_type" or group_definition is not None:
        vocabulary = (
            group_definition.vocabulary_id if group_definition is not None else "partner_types"
        )
        return terms.get((vocabulary, key), key)
    return str(key).replace("_", " ").capitalize() if metric.group_by == "status" else str(key)


def _shown(metric: Metric, entry: list) -> float:
    count, total = entry
    if metric.measure == Measure.COUNT:
        return float(count)
    if metric.measure == Measure.AVG:
        return float(total / count) if count else 0.0
    return float(total)


def _ordered_keys(metric: Metric, groups: _Groups, label: Any) -> list:
    """Time in order, stages in the pipeline's order, anything else largest first; past
    MAX_GROUPS the smallest fold into "Other (n)"."""
    keys = list(groups.totals)
    if metric.group_by in TIME_GROUPS:
        keys.sort(key=lambda k: (k is None, groups.order.get(k, (0, 0))))
    elif metric.group_by == "stage":
        keys.sort(key=lambda k: STAGE_ORDER.index(k) if k in STAGE_ORDER else 99)
    else:
        keys.sort(key=lambda k: (-_shown(metric, groups.totals[k]), label(k)))
    if len(keys) > MAX_GROUPS and metric.group_by not in TIME_GROUPS:
        rest = keys[MAX_GROUPS - 1 :]
        keys = keys[: MAX_GROUPS - 1]
        groups.totals["__other__"] = [
            sum(groups.totals[k][0] for k in rest),
            sum((groups.totals[k][1] for k in rest), Decimal(0)),
        ]
        groups.names["__other__"] = f"Other ({len(rest)})"
        keys.append("__other__")
    return keys


def metric_data(
    metric: Metric,
    *,
    definitions: list[FieldDefinition],
    labels: dict[str, dict[str, str]],
    currency: str,
    fiscal_start_month: int = 1,
    people: dict[int, str] | None = None,
    terms: dict[tuple[int, str], str] | None = None,
) -> MetricData:
    """The metric's numbers, in the current (company) schema, from one aggregate query.
    `definitions`, `labels`, `people` and `terms` are the company's, loaded once for every
    metric on a page."""
    model = model_for(metric.object_type)
    data = MetricData(currency=currency)
    if model is None:
        data.problem = "This record type has no records here."
        return data
    try:
        measure = _measure(metric, definitions)
        if measure.unit != "count":
            data.unit = measure.unit
        group_expression, group_definition = _grouping(metric, definitions)
    except _Unmeasurable as problem:
        data.problem = str(problem)
        return data
    values: dict[str, Any] = {}
    if measure.currency is not None:
        values["cur"] = measure.currency
    if group_expression is not None:
        values["g"] = group_expression
    aggregates: dict[str, Any] = {"n": Count("pk")}
    if measure.expression is not None:
        aggregates["total"] = Sum(measure.expression)
    qs = _records(metric, model)
    rows = (
        list(qs.values(**values).annotate(**aggregates).order_by())
        if values
        else [qs.aggregate(**aggregates)]
    )
    groups = _fold(metric, rows, data, fiscal_start_month)

    def label(key: Any) -> str:
        return _label_of(
            metric,
            key,
            groups=groups,
            group_definition=group_definition,
            labels=labels,
            people=people or {},
            terms=terms or {},
        )

    keys = _ordered_keys(metric, groups, label)
    if metric.group_by:
        data.labels = [label(k) for k in keys]
        data.values = [round(_shown(metric, groups.totals[k]), 2) for k in keys]
    all_records = [data.records, sum((g[1] for g in groups.totals.values()), Decimal(0))]
    data.total = round(_shown(metric, all_records), 2) if data.records else 0.0
    if not metric.group_by:
        data.labels, data.values = [metric.name], [data.total]
    return data


def chart_kind(metric: Metric) -> str:
    return ChartType.NUMBER if not metric.group_by else metric.chart

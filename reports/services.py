"""Admins define, change and remove metrics; validated against the company's business schema
(a metric sums numbers and groups by choices, people or time), audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.models import FieldDefinition
from business.registry import object_type_choices
from identity.models import User
from kinds import kind_get
from reports.metrics import TIME_GROUPS, group_choices, measure_choices
from reports.models import ChartType, Measure, Metric
from reports.selectors import MAX_METRICS

MAX_POSITION = 10_000
FIELDS = (
    "name",
    "object_type",
    "measure",
    "field",
    "group_by",
    "open_only",
    "chart",
    "on_dashboard",
    "position",
)


def metric_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean = {k: data.get(k) for k in FIELDS if k in data}
    clean["name"] = (clean.get("name") or "").strip()[:80]
    if not clean["name"]:
        errors["name"] = ["Name the metric, e.g. Pipeline by region."]
    object_type = clean.get("object_type") or ""
    if object_type not in dict(object_type_choices()):
        errors["object_type"] = ["Choose the kind of record to measure."]
    definitions = list(FieldDefinition.objects.filter(object_type=object_type))
    measure = clean.get("measure") or Measure.COUNT
    if measure not in Measure.values:
        errors["measure"] = ["Choose count, sum or average."]
    clean["measure"] = measure
    field = clean.get("field") or ""
    if measure == Measure.COUNT:
        field = ""
    elif field not in dict(measure_choices(object_type, definitions)):
        errors["field"] = ["Choose a number, money or percent field to add up."]
    clean["field"] = field
    group_by = clean.get("group_by") or ""
    if group_by and group_by not in dict(group_choices(object_type, definitions)):
        errors["group_by"] = ["Group by a stage, a person, a time or a choice field."]
    clean["group_by"] = group_by
    chart = clean.get("chart") or ChartType.BAR
    if chart not in ChartType.values:
        errors["chart"] = ["Choose a chart type."]
    elif not group_by and chart != ChartType.NUMBER:
        chart = ChartType.NUMBER  # nothing to draw bars of: one number
    elif group_by and chart == ChartType.NUMBER:
        errors["chart"] = ["One number can't show groups: pick a chart, or remove the grouping."]
    elif chart == ChartType.LINE and group_by not in TIME_GROUPS:
        errors["chart"] = ["A line needs a time to run along: group by a month or quarter."]
    clean["chart"] = chart
    # "open only" means something only for kinds whose spec says what closed is
    spec = kind_get(object_type)
    clean["open_only"] = bool(clean.get("open_only")) and bool(
        spec is not None and spec.metrics.open_exclude
    )
    clean["on_dashboard"] = bool(clean.get("on_dashboard", True))
    try:
        clean["position"] = int(clean.get("position") or 0)
    except (TypeError, ValueError):
        errors["position"] = ["Give the position as a whole number."]
    else:
        if not 0 <= clean["position"] <= MAX_POSITION:
            errors["position"] = [f"Give a position from 0 to {MAX_POSITION:,}."]
    if errors:
        raise ValidationError(errors)
    return clean


def metric_create(*, actor: User, data: dict[str, Any]) -> Metric:
    if Metric.objects.count() >= MAX_METRICS:
        raise ValidationError(f"A company can have at most {MAX_METRICS} metrics.")
    metric = Metric(**metric_clean(data))
    with transaction.atomic():
        metric.save()
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.REPORTS_METRIC_CREATED,
            target=metric,
            after=model_to_dict(metric, fields=FIELDS),
        )
    return metric


def metric_update(*, actor: User, metric: Metric, data: dict[str, Any]) -> Metric:
    clean = metric_clean({**model_to_dict(metric, fields=FIELDS), **data})
    before = model_to_dict(metric, fields=FIELDS)
    with transaction.atomic():
        for key, value in clean.items():
            setattr(metric, key, value)
        metric.save()
        after = model_to_dict(metric, fields=FIELDS)
        changed = [k for k in FIELDS if before[k] != after[k]]
        if changed:
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.REPORTS_METRIC_CHANGED,
                target=metric,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return metric


def metric_remove(*, actor: User, metric: Metric) -> None:
    with transaction.atomic():
        company_audit_entry_record(
            actor=actor,
            action=AuditAction.REPORTS_METRIC_REMOVED,
            target=metric,
            before=model_to_dict(metric, fields=FIELDS),
        )
        metric.delete()

"""Metrics with their numbers, for the dashboard, the Reports page and the API: the company's
definitions, words, people and terms are loaded once, then one aggregate query per metric."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from business.labels import company_labels
from business.models import FieldDefinition, FieldType, Term
from reports.metrics import CUSTOM, PERSON_GROUPS, MetricData, chart_kind, metric_data
from reports.models import Metric
from tenants.models import Company, Membership

MAX_METRICS = 50


@dataclass
class ComputedMetric:
    metric: Metric
    data: MetricData
    chart: str

    @property
    def rows(self) -> list[tuple[str, float]]:
        return list(zip(self.data.labels, self.data.values, strict=True))


def metric_get(*, pk: int | str) -> Metric:
    try:
        return Metric.objects.get(pk=int(pk))
    except (Metric.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such metric.") from exc


def metrics_computed(*, company: Company, metrics: list[Metric]) -> list[ComputedMetric]:
    if not metrics:
        return []
    from workspace.services import workspace_settings_get

    settings = workspace_settings_get()
    definitions = list(FieldDefinition.objects.all())
    groups = {m.group_by for m in metrics}
    needs_people = bool(groups & set(PERSON_GROUPS)) or any(
        d.field_type == FieldType.USER and f"{CUSTOM}{d.key}" in groups for d in definitions
    )
    people = (
        {
            m.user_id: m.user.get_full_name()
            for m in Membership.objects.filter(company=company).select_related("user")
        }
        if needs_people
        else {}
    )
    vocabularies = {
        d.vocabulary_id for d in definitions if f"{CUSTOM}{d.key}" in groups and d.vocabulary_id
    }
    terms: dict[tuple, str] = {}
    if vocabularies or "partner_type" in groups:
        rows = Term.objects.filter(
            Q(vocabulary_id__in=vocabularies) | Q(vocabulary__key="partner_types")
        ).values_list("vocabulary_id", "vocabulary__key", "key", "label")
        for vocabulary_id, vocabulary_key, key, label in rows:
            terms[(vocabulary_id, key)] = label
            if vocabulary_key == "partner_types":  # the built-in partner type grouping
                terms[("partner_types", key)] = label
    labels = company_labels()
    return [
        ComputedMetric(
            metric=metric,
            data=metric_data(
                metric,
                definitions=definitions,
                labels=labels,
                currency=settings.default_currency,
                fiscal_start_month=settings.fiscal_year_start_month,
                people=people,
                terms=terms,
            ),
            chart=chart_kind(metric),
        )
        for metric in metrics
    ]


def dashboard_metrics(*, company: Company) -> list[ComputedMetric]:
    return metrics_computed(
        company=company, metrics=list(Metric.objects.filter(on_dashboard=True)[:12])
    )


def all_metrics(*, company: Company) -> list[ComputedMetric]:
    return metrics_computed(company=company, metrics=list(Metric.objects.all()[:MAX_METRICS]))

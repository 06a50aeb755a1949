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
from workspace.services import workspace_settings_get

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


# How long computed figures are reused. A metric over 100,000 opportunities takes 40–100 ms
# to aggregate (docs/benchmarks.md), so a dashboard of several would cost a third of a
# second on every visit; the cards say "as of" and offer a refresh.
METRIC_TTL = 300


def _cache_key(metric: Metric, currency: str, fiscal_start: int) -> str:
    # tenant-prefixed by django_tenants' key function; a changed definition is a new key
    stamp = metric.updated_at.isoformat() if metric.updated_at else ""
    return f"reports:metric:{metric.pk}:{stamp}:{currency}:{fiscal_start}"


def metrics_computed(
    *, company: Company, metrics: list[Metric], refresh: bool = False
) -> list[ComputedMetric]:
    """Each metric's figures, from the cache when computed in the last METRIC_TTL seconds
    (unless `refresh`), else computed now and cached."""
    if not metrics:
        return []
    from django.core.cache import cache
    from django.utils import timezone

    settings = workspace_settings_get()
    keys = {
        m.pk: _cache_key(m, settings.default_currency, settings.fiscal_year_start_month)
        for m in metrics
        if m.pk
    }
    cached = {} if refresh else cache.get_many(list(keys.values()))
    found: dict[int, MetricData] = {}
    for metric in metrics:
        hit = cached.get(keys.get(metric.pk, ""))
        if hit is not None:
            found[metric.pk] = MetricData(**hit)
    missing = [m for m in metrics if m.pk not in found]
    if missing:
        now = timezone.now()
        for metric, data in zip(missing, _compute(company, missing, settings), strict=True):
            data.computed_at = now
            if metric.pk:
                found[metric.pk] = data
                cache.set(keys[metric.pk], data.as_json(), METRIC_TTL)
            else:
                found[id(metric)] = data
    return [
        ComputedMetric(metric=metric, data=found[metric.pk or id(metric)], chart=chart_kind(metric))
        for metric in metrics
    ]


def _compute(company: Company, metrics: list[Metric], settings) -> list[MetricData]:  # type: ignore[no-untyped-def]
    """The figures of `metrics`: the company's definitions, words, people and terms loaded
    once, then one aggregate query per metric."""
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
        metric_data(
            metric,
            definitions=definitions,
            labels=labels,
            currency=settings.default_currency,
            fiscal_start_month=settings.fiscal_year_start_month,
            people=people,
            terms=terms,
        )
        for metric in metrics
    ]


def dashboard_metrics(*, company: Company, refresh: bool = False) -> list[ComputedMetric]:
    return metrics_computed(
        company=company,
        metrics=list(Metric.objects.filter(on_dashboard=True)[:12]),
        refresh=refresh,
    )


def all_metrics(*, company: Company, refresh: bool = False) -> list[ComputedMetric]:
    return metrics_computed(
        company=company, metrics=list(Metric.objects.all()[:MAX_METRICS]), refresh=refresh
    )

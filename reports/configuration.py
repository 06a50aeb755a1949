"""Metrics as a section of the company's configuration document (export / import)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from business.configuration.sections import ConfigurationSection, Problems, validation_lines
from reports.models import Metric
from reports.services import FIELDS, metric_clean


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


def _export() -> list[dict[str, Any]]:
    return [{key: getattr(m, key) for key in FIELDS} for m in Metric.objects.order_by("pk")]


def _import_item(spec: dict[str, Any]) -> Problems:
    try:
        clean = metric_clean(spec)
    except ValidationError as exc:
        return validation_lines(exc)
    Metric.objects.update_or_create(name=clean["name"], defaults=clean)
    return []


SECTION = ConfigurationSection(
    key="metrics", item_shape=MetricIn, export=_export, import_item=_import_item
)

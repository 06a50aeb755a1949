"""Metrics a company admin defines over the company's own records (company schema): what to
measure, how to group it and how to draw it. Definitions are data; reports.metrics computes
them with one aggregate query each."""

from __future__ import annotations

from django.db import models


class Measure(models.TextChoices):
    COUNT = "count", "Number of records"
    SUM = "sum", "Sum of"
    AVG = "avg", "Average of"


class ChartType(models.TextChoices):
    BAR = "bar", "Bar chart"
    HBAR = "hbar", "Horizontal bars"
    LINE = "line", "Line (over time)"
    DOUGHNUT = "doughnut", "Doughnut"
    NUMBER = "number", "One number"


class Metric(models.Model):
    name = models.CharField(max_length=80)
    object_type = models.CharField(max_length=20)
    measure = models.CharField(max_length=8, choices=Measure.choices, default=Measure.COUNT)
    # A built-in numeric field ("amount") or "custom.<key>" (number, money, percent); empty
    # when counting.
    field = models.CharField(max_length=48, blank=True)
    # A built-in grouping ("stage", "close_quarter"...) or "custom.<key>" (choice or person);
    # empty for one number.
    group_by = models.CharField(max_length=48, blank=True)
    open_only = models.BooleanField(
        default=False, help_text="Opportunities only: leave out won and lost deals."
    )
    chart = models.CharField(max_length=10, choices=ChartType.choices, default=ChartType.BAR)
    on_dashboard = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

"""The Reports page (every metric, drawn) and the admin's metric settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from reports.forms import MetricForm
from reports.models import Metric
from reports.selectors import all_metrics, metric_get
from reports.services import metric_create, metric_remove, metric_update
from tenants.decorators import admin_required
from ui.forms import form_errors_add


def reports(request: HttpRequest) -> HttpResponse:
    refresh = request.GET.get("refresh") == "1"
    return render(
        request,
        "reports/reports.html",
        {"metrics": all_metrics(company=request.tenant, refresh=refresh)},
    )


@admin_required
def metric_settings(request: HttpRequest) -> HttpResponse:
    form = MetricForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            metric = metric_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the metric “{metric.name}”.")
            return redirect("metric_settings")
    return render(
        request,
        "reports/settings.html",
        {"tab": "metrics", "form": form, "metrics": list(Metric.objects.all())},
    )


@admin_required
def metric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    metric = metric_get(pk=pk)
    form = MetricForm(
        request.POST or None,
        initial={
            f: getattr(metric, f)
            for f in (
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
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            metric_update(actor=request.user, metric=metric, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Saved “{metric.name}”.")
            return redirect("metric_settings")
    return render(
        request, "reports/metric_form.html", {"tab": "metrics", "form": form, "metric": metric}
    )


@admin_required
@require_POST
def metric_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    metric = metric_get(pk=pk)
    metric_remove(actor=request.user, metric=metric)
    messages.success(request, f"Removed “{metric.name}”.")
    return redirect("metric_settings")

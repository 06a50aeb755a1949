"""/api/v1/metrics/: the company's metrics with their current numbers (read-only; admins
define them in the browser), so integrations and BI tools read the same figures as the
dashboard."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from reports.selectors import ComputedMetric, all_metrics, metric_get, metrics_computed
from tenants.api import IsCompanyMember


class MetricSerializer(serializers.Serializer):
    """The response shape (documentation only: the numbers are computed, not stored)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    object_type = serializers.CharField()
    measure = serializers.ChoiceField(choices=["count", "sum", "avg"])
    field = serializers.CharField()
    group_by = serializers.CharField()
    open_only = serializers.BooleanField()
    chart = serializers.CharField()
    on_dashboard = serializers.BooleanField()
    labels = serializers.ListField(child=serializers.CharField())
    values = serializers.ListField(child=serializers.FloatField())
    total = serializers.FloatField()
    records = serializers.IntegerField()
    left_out = serializers.IntegerField(
        help_text="Records in another currency than the workspace's, not included."
    )
    currency = serializers.CharField()
    unit = serializers.ChoiceField(choices=["count", "money", "number", "percent"])
    problem = serializers.CharField()
    computed_at = serializers.DateTimeField(
        help_text="When the figures were computed (they are reused for up to 5 minutes)."
    )


def _payload(computed: ComputedMetric) -> dict:
    metric = computed.metric
    return {
        "id": metric.pk,
        "name": metric.name,
        "object_type": metric.object_type,
        "measure": metric.measure,
        "field": metric.field,
        "group_by": metric.group_by,
        "open_only": metric.open_only,
        "chart": computed.chart,
        "on_dashboard": metric.on_dashboard,
        **computed.data.as_json(),
    }


class MetricViewSet(viewsets.ViewSet):
    permission_classes = [IsCompanyMember]
    token_scope = "reports"
    lookup_value_regex = r"\d+"

    @extend_schema(responses=MetricSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response([_payload(m) for m in all_metrics(company=request.tenant)])

    @extend_schema(
        responses=MetricSerializer,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        metric = metric_get(pk=pk or "")
        return Response(_payload(metrics_computed(company=request.tenant, metrics=[metric])[0]))

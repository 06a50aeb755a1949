"""/api/v1/marketing-plans/: plans with their campaigns and tasks."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from business.api import custom_fields_serializer_field
from concurrency.api import versioned_schema
from marketing.models import Campaign, MarketingPlan, PlanTask
from marketing.selectors import plan_get, plans_of_company
from marketing.services import campaign_add, plan_archive, plan_create, plan_update, task_add
from recordkit.api import VersionedRecordMixin
from tenants.api import IsCompanyMember


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "starts_on", "ends_on", "target_leads", "target_pipeline"]


class TaskSerializer(serializers.ModelSerializer):
    owner_id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = PlanTask
        fields = ["id", "title", "owner_id", "due_on", "done"]
        read_only_fields = ["done"]


class PlanSerializer(serializers.ModelSerializer):
    campaigns = CampaignSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    version = serializers.IntegerField(required=False)
    custom_fields = custom_fields_serializer_field()

    class Meta:
        model = MarketingPlan
        fields = [
            "id",
            "name",
            "objective",
            "period_start",
            "period_end",
            "budget",
            "currency",
            "campaigns",
            "tasks",
            "custom_fields",
            "shared_record_id",
            "version",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["id", "shared_record_id", "created_at", "updated_at", "archived_at"]

    def validate_currency(self, value: str) -> str:
        return value.upper()


@versioned_schema(PlanSerializer)
class MarketingPlanViewSet(
    VersionedRecordMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """DELETE archives. Tasks stay private to your company even when the plan is shared."""

    custom_object_type = MarketingPlan.kind_key
    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = PlanSerializer
    object_name = "plan"
    create_service = plan_create
    update_service = plan_update
    archive_service = plan_archive
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return MarketingPlan.objects.none()
        return plans_of_company(
            query=self.request.query_params.get("search", "")[:100],
            sort=self.request.query_params.get("ordering", "-period_start"),
        ).prefetch_related("campaigns", "tasks")

    def get_object(self) -> MarketingPlan:
        return plan_get(pk=self.kwargs["pk"])

    @extend_schema(request=CampaignSerializer, responses={201: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def campaigns(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()  # 404 before anything about the body
        serializer = CampaignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = campaign_add(
            actor=request.user,
            company=request.tenant,
            plan=plan,
            data=dict(serializer.validated_data),
        )
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskSerializer, responses={201: TaskSerializer})
    @action(detail=True, methods=["post"])
    def tasks(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()  # 404 before anything about the body
        serializer = TaskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_add(
            actor=request.user,
            company=request.tenant,
            plan=plan,
            data=dict(serializer.validated_data),
        )
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

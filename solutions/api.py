"""/api/v1/solutions/: the company's solutions, private unless shared."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from business.api import custom_fields_serializer_field
from concurrency.api import versioned_schema
from recordkit.api import VersionedRecordMixin
from solutions.models import Solution
from solutions.selectors import solution_get, solutions_of_company
from solutions.services import solution_archive, solution_create, solution_update
from tenants.api import IsCompanyMember


class SolutionSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )
    industries = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )
    version = serializers.IntegerField(required=False)
    custom_fields = custom_fields_serializer_field()

    class Meta:
        model = Solution
        fields = [
            "id",
            "name",
            "summary",
            "categories",
            "industries",
            "regions",
            "status",
            "is_public",
            "custom_fields",
            "shared_record_id",
            "version",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["id", "shared_record_id", "created_at", "updated_at", "archived_at"]


@versioned_schema(SolutionSerializer)
class SolutionViewSet(
    VersionedRecordMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """DELETE archives."""

    custom_object_type = Solution.kind_key
    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = SolutionSerializer
    object_name = "solution"
    create_service = solution_create
    update_service = solution_update
    archive_service = solution_archive
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Solution.objects.none()
        params = self.request.query_params
        return solutions_of_company(
            query=params.get("search", "")[:100],
            status=params.get("status", ""),
            sort=params.get("ordering", "name"),
        )

    def get_object(self) -> Solution:
        return solution_get(pk=self.kwargs["pk"])

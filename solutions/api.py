"""/api/v1/solutions/: the company's solutions, private unless shared."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from sharing.services.collaboration import StaleVersion
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
            "shared_record_id",
            "version",
            "created_at",
            "updated_at",
            "archived_at",
        ]
        read_only_fields = ["id", "shared_record_id", "created_at", "updated_at", "archived_at"]


class SolutionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """DELETE archives."""

    permission_classes = [IsCompanyMember]
    serializer_class = SolutionSerializer
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):
            return Solution.objects.none()
        params = self.request.query_params
        return solutions_of_company(
            query=params.get("search", "")[:100], status=params.get("status", "")
        )

    def get_object(self) -> Solution:
        return solution_get(pk=self.kwargs["pk"])

    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        solution = solution_create(
            actor=request.user, company=request.tenant, data=dict(serializer.validated_data)
        )
        return Response(self.get_serializer(solution).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SolutionSerializer, responses=SolutionSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        """Send the `version` you read; a stale one answers 409 with both values."""
        solution = self.get_object()
        serializer = self.get_serializer(solution, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            raise serializers.ValidationError(
                {"version": ["Send the version you are editing (from your last read)."]}
            )
        expected = data.pop("version")
        try:
            solution = solution_update(
                actor=request.user,
                company=request.tenant,
                solution=solution,
                data=data,
                expected_version=expected,
            )
        except StaleVersion as conflict:
            return Response(
                {
                    "detail": str(conflict),
                    "theirs": conflict.theirs,
                    "yours": conflict.yours,
                    "current_version": conflict.current_version,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(solution).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        solution_archive(actor=request.user, company=request.tenant, solution=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

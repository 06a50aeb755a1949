"""/api/v1/shared-records/: the records shared with the caller's company, their sections,
collaborative edits, adoption and comments. Every queryset comes from sharing.records.access
(the same door as the pages)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from canonical import Stage
from concurrency.api import conflict_response
from kinds import kind_choices
from sharing.collaboration.services.collaboration import (
    StaleVersion,
    participation_update,
    shared_record_adopt,
    shared_record_collaborate,
)
from sharing.collaboration.services.comments import comment_add
from sharing.models import SharedRecord
from sharing.records.access import (
    OWNER,
    role_on_record,
    shared_record_get_for_actor,
    shared_records_visible_to,
    shared_with_page,
)
from sharing.records.selectors import comments_visible, sharing_list_of
from tenants.api import IsCompanyMember
from tenants.models import Company

_conflict = conflict_response


def _shared_kinds() -> set[str]:
    return {key for key, _ in kind_choices(shared=True)}


class SharedRecordSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SharedRecord
        fields = [
            "id",
            "kind",
            "owner",
            "title",
            "stage",
            "payload",
            "version",
            "restrict_participants",
            "created_at",
            "last_activity_at",
            "archived_at",
        ]


class CollaborateSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    close_date = serializers.DateField(required=False)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SectionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "accepted", "declined"], required=False)
    deal_role = serializers.ChoiceField(
        choices=["", "sourced", "influenced", "fulfilling"], required=False
    )
    contact = serializers.IntegerField(required=False, allow_null=True)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CommentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    company = serializers.CharField(source="company.slug", read_only=True)
    author = serializers.CharField(source="author.email", read_only=True, default=None)
    body = serializers.CharField(max_length=5000)
    created_at = serializers.DateTimeField(read_only=True)


class SharedRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Everything shared with your company or owned by it and published."""

    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = SharedRecordSerializer
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return SharedRecord.objects.none()
        qs = shared_records_visible_to(
            user=self.request.user, company=self.request.tenant
        ).select_related("owner")
        params = self.request.query_params
        if params.get("kind") in _shared_kinds():
            qs = qs.filter(kind=params["kind"])
        if params.get("stage") in Stage.values:
            qs = qs.filter(stage=params["stage"])
        if params.get("partner"):
            qs = qs.filter(owner__slug=params["partner"])
        if params.get("shared_with_me") == "true":
            qs = qs.exclude(owner=self.request.tenant)
        return qs.order_by("-last_activity_at", "pk")

    def get_object(self) -> SharedRecord:
        return shared_record_get_for_actor(
            user=self.request.user, company=self.request.tenant, pk=self.kwargs["pk"]
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "shared_with_me",
                bool,
                description="Only records partners own (the inbox), newest activity first.",
            ),
            OpenApiParameter(
                "kind",
                str,
                description="A record kind: opportunity, solution, marketing_plan, or any kind registered since.",
            ),
            OpenApiParameter("stage", str, enum=Stage.values),
            OpenApiParameter("partner", str, description="Owner company slug."),
            OpenApiParameter("page", int),
            OpenApiParameter(
                "needs_action", bool, description="Only records your company has not answered yet."
            ),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        if request.query_params.get("shared_with_me") != "true":
            return super().list(request, *args, **kwargs)
        # The inbox is paged newer/older without a total (it can be large); see sharing.records.access.
        try:
            page = max(int(request.query_params.get("page", "1")), 1)
        except ValueError:
            page = 1
        params = request.query_params
        partner = (
            Company.objects.filter(slug=params.get("partner", ""))
            .values_list("pk", flat=True)
            .first()
        )
        if params.get("partner") and partner is None:
            records, has_next = [], False
        else:
            records, has_next = shared_with_page(
                user=request.user,
                company=request.tenant,
                page=page,
                kind=params.get("kind", "") if params.get("kind") in _shared_kinds() else "",
                stage=params.get("stage", "") if params.get("stage") in Stage.values else "",
                owner_id=partner,
                needs_action=params.get("needs_action") == "true",
                membership=request.membership,
            )

        def link(number: int) -> str:
            query = params.copy()
            query["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "next": link(page + 1) if has_next else None,
                "previous": link(page - 1) if page > 1 else None,
                "results": self.get_serializer(records, many=True).data,
            }
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        record = self.get_object()
        role = role_on_record(user=request.user, company=request.tenant, record=record)
        entries = sharing_list_of(
            record=record, viewer_company=request.tenant, viewer_is_owner=role == OWNER
        )
        return Response(
            {
                **self.get_serializer(record).data,
                "my_role": role,
                "sharing_list": [
                    {
                        "company": e["company"].slug,
                        "role": e["role"],
                        "people": [u.email for u in e["people"]],
                    }
                    for e in entries
                ],
            }
        )

    @extend_schema(request=CollaborateSerializer, responses=SharedRecordSerializer)
    @action(detail=True, methods=["patch"])
    def collaborate(self, request: Request, pk: str | None = None) -> Response:
        """Edit the collaborative fields (contributors, managers, owner). Send `version`."""
        record = self.get_object()  # 404 before anything about the body
        serializer = CollaborateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            shared_record_collaborate(
                actor=request.user,
                actor_membership=request.membership,
                record=record,
                data=data,
                expected_version=version,
            )
        except StaleVersion as conflict:
            return _conflict(conflict)
        # read back through the access function: the caller gets only what it may read
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=SectionSerializer, responses=None)
    @action(detail=True, methods=["patch"])
    def section(self, request: Request, pk: str | None = None) -> Response:
        """Your company's own section: answer, deal role, contact, next step. Send `version`."""
        record = self.get_object()  # 404 before anything about the body
        serializer = SectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        if "contact" in data:
            data["contact_id"] = data.pop("contact")
        try:
            part = participation_update(
                actor=request.user,
                actor_membership=request.membership,
                record=record,
                data=data,
                expected_version=version,
            )
        except StaleVersion as conflict:
            return _conflict(conflict)
        return Response(
            {
                "status": part.status,
                "deal_role": part.deal_role,
                "contact": part.contact_id,
                "next_step": part.next_step,
                "version": part.version,
            }
        )

    @extend_schema(request=CommentSerializer, responses=CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        record = self.get_object()
        if request.method == "POST":
            serializer = CommentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = comment_add(
                actor=request.user,
                actor_membership=request.membership,
                record=record,
                body=serializer.validated_data["body"],
            )
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        role = role_on_record(user=request.user, company=request.tenant, record=record)
        return Response(
            CommentSerializer(
                comments_visible(
                    record=record, viewer_company=request.tenant, viewer_is_owner=role == OWNER
                ),
                many=True,
            ).data
        )

    @extend_schema(request=None, responses={201: None})
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        """Copy a partner's shared opportunity into your own pipeline (private, linked)."""
        copy = shared_record_adopt(
            actor=request.user, actor_membership=request.membership, record=self.get_object()
        )
        return Response({"id": str(copy.pk)}, status=status.HTTP_201_CREATED)

"""/api/v1/approvals/: shares waiting for approval. Approvers list and decide them; everyone
sees their own requests and may withdraw them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from approvals.models import RequestStatus, ShareRequest
from approvals.selectors import request_get_for_member, requests_visible_to
from approvals.services import share_request_approve, share_request_reject, share_request_withdraw
from identity.models import User
from tenants.api import IsCompanyMember


class ShareRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ShareRequest
        fields = [
            "id",
            "kind",
            "source_id",
            "title",
            "partner_name",
            "role",
            "deal_role",
            "reasons",
            "approver_role",
            "status",
            "note",
            "requested_by",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]

    def _email(self, user_id: int | None) -> str | None:
        return (self.context.get("emails") or {}).get(user_id)

    def get_requested_by(self, request: ShareRequest) -> str | None:
        return self._email(request.requested_by_id)

    def get_decided_by(self, request: ShareRequest) -> str | None:
        return self._email(request.decided_by_id)


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class ShareRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsCompanyMember]
    token_scope = "records"
    serializer_class = ShareRequestSerializer
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return ShareRequest.objects.none()
        qs = requests_visible_to(membership=self.request.membership)
        wanted = self.request.query_params.get("status")
        if wanted in RequestStatus.values:
            qs = qs.filter(status=wanted)
        return qs.order_by("-created_at")

    def get_object(self) -> ShareRequest:
        return request_get_for_member(membership=self.request.membership, pk=self.kwargs["pk"])

    def get_serializer_context(self):  # type: ignore[no-untyped-def]
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["emails"] = dict(
                User.objects.filter(memberships__company=self.request.tenant).values_list(
                    "pk", "email"
                )
            )
        return context

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=RequestStatus.values)])
    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().list(request, *args, **kwargs)

    def _decide(self, service, **extra) -> Response:  # type: ignore[no-untyped-def]
        share_request = self.get_object()  # 404 before anything about the body
        body = DecisionSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        decided = service(
            actor=self.request.user,
            actor_membership=self.request.membership,
            request=share_request,
            comment=body.validated_data["comment"],
            **extra,
        )
        return Response(self.get_serializer(decided).data)

    @extend_schema(request=DecisionSerializer, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve: the record is published and the partner put on its list, now."""
        return self._decide(share_request_approve)

    @extend_schema(request=DecisionSerializer, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject with a comment (required): nothing is shared."""
        return self._decide(share_request_reject)

    @extend_schema(request=None, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The requester takes the request back."""
        withdrawn = share_request_withdraw(
            actor=request.user, actor_membership=request.membership, request=self.get_object()
        )
        return Response(self.get_serializer(withdrawn).data)

"""/api/v1/webhooks/: the company's webhook endpoints for its admins (the same services as
Settings → Webhooks): create, read, change, remove; rotate or read the signing secret; send
a test event; read an endpoint's deliveries and resend one. The event catalogue is at
/api/v1/webhooks/event-types/."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.api import IsCompanyMember
from webhooks.catalogue import EVENT_TYPES, KEYS
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from webhooks.selectors import delivery_get, endpoint_get
from webhooks.services import (
    ROTATION_GRACE_HOURS,
    delivery_resend,
    endpoint_create,
    endpoint_remove,
    endpoint_test_event_send,
    endpoint_update,
    secret_reveal,
    secret_rotate,
)

UUID = r"[0-9a-fA-F-]{36}"


def _secret_bearing(response: Response) -> Response:
    """An answer holding a secret is kept by no cache or proxy on the way."""
    add_never_cache_headers(response)
    return response


class IsCompanyAdmin(permissions.BasePermission):
    """Webhooks are configuration: the company's owners and admins only (a member gets 403,
    like the admin-only pages; anyone outside the company got 404 from IsCompanyMember). An
    endpoint's id is looked up first, so another company's id is a 404 for every role."""

    def has_permission(self, request: Request, view) -> bool:  # type: ignore[no-untyped-def]
        if "pk" in getattr(view, "kwargs", {}):
            endpoint_get(pk=view.kwargs["pk"])
        if not request.membership.is_admin:
            raise PermissionDenied("Only the company's owners and admins manage its webhooks.")
        return True


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(KEYS)),
        min_length=1,
        max_length=len(KEYS),
        help_text="Keys from /api/v1/webhooks/event-types/.",
    )
    url = serializers.CharField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False, default=True)
    state = serializers.CharField(read_only=True, help_text="enabled, failing or disabled")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "enabled",
            "state",
            "disabled_reason",
            "last_success_at",
            "last_failure_at",
            "failing_since",
            "secret_rotated_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "state",
            "disabled_reason",
            "last_success_at",
            "last_failure_at",
            "failing_since",
            "secret_rotated_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="whsec_… (Standard Webhooks)")
    previous_secret_expires_at = serializers.DateTimeField(allow_null=True)


class RotateSerializer(serializers.Serializer):
    grace_hours = serializers.ChoiceField(
        choices=list(ROTATION_GRACE_HOURS),
        default=24,
        help_text="How long the previous secret keeps signing (both signatures are sent).",
    )


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    occurred_at = serializers.DateTimeField(source="event.occurred_at", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_type",
            "occurred_at",
            "state",
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "next_attempt_at",
            "outcome",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class EventTypeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    group = serializers.CharField()


class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsCompanyMember, IsCompanyAdmin]
    token_scope = "configuration"
    serializer_class = EndpointSerializer
    filter_backends: list = []
    lookup_value_regex = UUID

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.order_by("created_at")

    def get_object(self) -> WebhookEndpoint:
        return endpoint_get(pk=self.kwargs["pk"])

    @extend_schema(
        responses={
            201: inline_serializer(
                "WebhookEndpointCreated",
                {"endpoint": EndpointSerializer(), "secret": serializers.CharField()},
            )
        }
    )
    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoint_create(
            actor=request.user, actor_membership=request.membership, **serializer.validated_data
        )
        return _secret_bearing(
            Response(
                {"endpoint": EndpointSerializer(endpoint).data, "secret": endpoint.secret},
                status=status.HTTP_201_CREATED,
            )
        )

    def update(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        endpoint = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(endpoint, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = endpoint_update(
            actor=request.user,
            actor_membership=request.membership,
            endpoint=endpoint,
            url=data.get("url"),
            description=data.get("description"),
            event_types=data.get("event_types"),
            enabled=data.get("enabled") if "enabled" in request.data else None,
        )
        return Response(EndpointSerializer(endpoint).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        endpoint_remove(
            actor=request.user, actor_membership=request.membership, endpoint=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["post"])
    def secret(self, request: Request, pk: str | None = None) -> Response:
        """The signing secret. A POST, so it needs the write scope: whoever holds the secret
        can sign events the company's receivers trust; each reveal is audited."""
        endpoint = self.get_object()
        secret = secret_reveal(
            actor=request.user, actor_membership=request.membership, endpoint=endpoint
        )
        return _secret_bearing(
            Response(
                {
                    "secret": secret,
                    "previous_secret_expires_at": endpoint.previous_secret_expires_at,
                }
            )
        )

    @extend_schema(request=RotateSerializer, responses=SecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        serializer = RotateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = secret_rotate(
            actor=request.user,
            actor_membership=request.membership,
            endpoint=self.get_object(),
            grace_hours=serializer.validated_data["grace_hours"],
        )
        return _secret_bearing(
            Response(
                {
                    "secret": endpoint.secret,
                    "previous_secret_expires_at": endpoint.previous_secret_expires_at,
                }
            )
        )

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        delivery = endpoint_test_event_send(
            actor=request.user, actor_membership=request.membership, endpoint=self.get_object()
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses=DeliverySerializer(many=True),
        parameters=[
            OpenApiParameter(
                "status", str, enum=list(DeliveryState.values), description="Only these."
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        qs = WebhookDelivery.objects.filter(endpoint=self.get_object()).select_related("event")
        wanted = request.query_params.get("status", "")
        if wanted in DeliveryState.values:
            qs = qs.filter(state=wanted)
        page = self.paginate_queryset(qs.order_by("-created_at", "-pk"))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={202: DeliverySerializer},
        parameters=[OpenApiParameter("delivery_pk", str, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"deliveries/(?P<delivery_pk>{UUID})/resend",
        url_name="resend",
    )
    def resend(self, request: Request, pk: str | None = None, delivery_pk: str = "") -> Response:
        """Another attempt now, with the same webhook-id."""
        endpoint = self.get_object()
        delivery = delivery_get(endpoint=endpoint, pk=delivery_pk)
        delivery.endpoint = endpoint
        delivery = delivery_resend(
            actor=request.user, actor_membership=request.membership, delivery=delivery
        )
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookEventTypeViewSet(viewsets.ViewSet):
    """The events an endpoint can subscribe to."""

    permission_classes = [IsCompanyMember, IsCompanyAdmin]
    token_scope = "configuration"

    @extend_schema(responses=EventTypeSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(
            [
                {"key": e.key, "label": e.label, "description": e.description, "group": e.group}
                for e in EVENT_TYPES
            ]
        )

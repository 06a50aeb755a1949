"""/api/v1/ for the partner network: the directory and partnerships."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from identity.throttles import TOO_MANY_PARTNER_INVITATIONS, attempt_count, pair_key
from sharing.models import Partnership
from sharing.network.selectors import (
    directory_companies,
    directory_company_get,
    partnership_get_for_company,
    partnerships_of_company,
)
from sharing.network.services.partnerships import (
    partnership_accept,
    partnership_decline,
    partnership_end,
    partnership_invite,
)
from tenants.api import IsCompanyMember
from tenants.models import Company


class CompanyCardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = [
            "slug",
            "name",
            "website",
            "description",
            "industries",
            "regions",
            "offerings",
        ]


class PartnershipSerializer(serializers.ModelSerializer):
    partner = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "partner",
            "direction",
            "status",
            "message",
            "created_at",
            "responded_at",
            "ended_at",
        ]

    def get_partner(self, obj: Partnership) -> dict:
        return CompanyCardSerializer(obj.other(self.context["request"].tenant)).data

    def get_direction(self, obj: Partnership) -> str:
        return "outgoing" if obj.requester_id == self.context["request"].tenant.pk else "incoming"


class InviteSerializer(serializers.Serializer):
    partner = serializers.SlugField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DirectoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsCompanyMember]
    token_scope = "partners"
    serializer_class = CompanyCardSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return Company.objects.none()
        return directory_companies(
            company=self.request.tenant,
            query=self.request.query_params.get("search", "")[:100],
            offering=self.request.query_params.get("offering", ""),
        )

    def get_object(self) -> Company:
        return directory_company_get(slug=self.kwargs["slug"])


class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsCompanyMember]
    token_scope = "partners"
    serializer_class = PartnershipSerializer
    filter_backends: list = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return Partnership.objects.none()
        statuses = self.request.query_params.getlist("status") or None
        return partnerships_of_company(company=self.request.tenant, statuses=statuses)

    def get_object(self) -> Partnership:
        return partnership_get_for_company(company=self.request.tenant, pk=self.kwargs["pk"])

    @extend_schema(request=InviteSerializer, responses={201: PartnershipSerializer})
    def create(self, request: Request) -> Response:
        """Invite a company on the network to partner."""
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = Company.objects.active().filter(slug=serializer.validated_data["partner"]).first()
        if partner is None:
            raise serializers.ValidationError({"partner": ["No company with that slug."]})
        if not attempt_count(
            request._request,
            action="partnership_invite",
            key=pair_key(request.tenant.pk, partner.pk),
            user=request.user,
        ):
            raise exceptions.Throttled(detail=TOO_MANY_PARTNER_INVITATIONS)
        partnership = partnership_invite(
            actor=request.user,
            actor_membership=request.membership,
            partner=partner,
            message=serializer.validated_data["message"],
        )
        return Response(self.get_serializer(partnership).data, status=status.HTTP_201_CREATED)

    def _answer(self, service) -> Response:  # type: ignore[no-untyped-def]
        partnership = service(
            actor=self.request.user,
            actor_membership=self.request.membership,
            partnership=self.get_object(),
        )
        return Response(self.get_serializer(partnership).data)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(partnership_accept)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(partnership_decline)

    @extend_schema(request=None, responses=PartnershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the partnership; the ex-partner leaves every sharing list between you."""
        return self._answer(partnership_end)

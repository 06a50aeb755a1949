"""/api/v1/ endpoints about the caller and the company whose host they called."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.selectors import memberships_of_user
from tenants.serializers import CompanySerializer, MembershipSerializer, UserSerializer
from tenants.services.companies import company_profile_update


class IsCompanyMember(permissions.BasePermission):
    """MembershipRequiredMiddleware lets anonymous API calls through so DRF can answer 401;
    authenticated non-members never reach a view."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user.is_authenticated and getattr(request, "membership", None))


class MeView(APIView):
    permission_classes = [IsCompanyMember]

    @extend_schema(
        responses=inline_serializer(
            "MeResponse",
            {
                "user": UserSerializer(),
                "membership": MembershipSerializer(),
                "memberships": MembershipSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "user": UserSerializer(request.user).data,
                "membership": MembershipSerializer(request.membership).data,
                "memberships": MembershipSerializer(
                    memberships_of_user(user=request.user), many=True
                ).data,
            }
        )


class CompanyView(APIView):
    """The calling company's public profile: what partners see in the directory."""

    permission_classes = [IsCompanyMember]
    serializer_class = CompanySerializer

    def get(self, request: Request) -> Response:
        return Response(CompanySerializer(request.tenant).data)

    @extend_schema(request=CompanySerializer, responses=CompanySerializer)
    def patch(self, request: Request) -> Response:
        if not request.membership.is_admin:
            raise PermissionDenied("Only the company's owners and admins can edit its profile.")
        serializer = CompanySerializer(request.tenant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            company = company_profile_update(
                actor=request.user, company=request.tenant, data=serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(CompanySerializer(company).data)

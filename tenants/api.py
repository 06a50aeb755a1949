"""/api/v1/ endpoints about the caller and the company whose host they called."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.selectors import membership_of_user_in, memberships_of_user
from tenants.serializers import CompanySerializer, MembershipSerializer, UserSerializer
from tenants.services.companies import company_profile_update


class IsCompanyMember(permissions.BasePermission):
    """The caller is a member of the company whose host this is. Session users were checked by
    MembershipRequiredMiddleware; token users are checked here (a token's person may have left
    the company since). Non-members get 404, like everything that is not theirs."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user.is_authenticated:
            return False
        membership = getattr(request._request, "membership", None)
        if membership is None:
            membership = membership_of_user_in(user=request.user, company=request.tenant)
            if membership is None:
                raise NotFound()
            request._request.membership = membership
        # A token answers for its scopes (identity.scopes); a view names its family in
        # `token_scope`, and one that names none is closed to tokens.
        permits = getattr(request.auth, "permits", None)
        if permits is not None and not permits(getattr(view, "token_scope", None), request.method):
            raise PermissionDenied(
                "This token's scopes do not allow this. Make a token with the scope it needs."
            )
        return True


class MeView(APIView):
    permission_classes = [IsCompanyMember]
    token_scope = "me"

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
    token_scope = "configuration"
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

"""/api/v1/tokens/: a person's access tokens for this company. Managed from a browser session
(a token cannot mint tokens)."""

from __future__ import annotations

from django.http import Http404
from django.utils.cache import add_never_cache_headers
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from identity.models import PersonalAccessToken
from identity.scopes import ALL_SCOPES
from identity.throttles import TOO_MANY_TOKENS, attempt_count
from identity.tokens import token_create, token_revoke
from tenants.api import IsCompanyMember


class TokenSerializer(serializers.ModelSerializer):
    expires_in_days = serializers.IntegerField(
        write_only=True, required=False, allow_null=True, default=90
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=list(ALL_SCOPES)),
        required=False,
        max_length=len(ALL_SCOPES),
        help_text="What the token may do (read/write per family); every scope when left out.",
    )

    class Meta:
        model = PersonalAccessToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "scopes",
            "expires_in_days",
        ]
        read_only_fields = [
            "id",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsCompanyMember]
    serializer_class = TokenSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular builds the schema
            return PersonalAccessToken.objects.none()
        return PersonalAccessToken.objects.filter(
            user=self.request.user, company=self.request.tenant
        )

    def get_object(self) -> PersonalAccessToken:
        token = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if token is None:
            raise Http404
        return token

    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not attempt_count(request._request, action="token_create", user=request.user):
            raise exceptions.Throttled(detail=TOO_MANY_TOKENS)
        token, plain = token_create(
            actor=request.user,
            company=request.tenant,
            name=serializer.validated_data["name"],
            expires_in_days=serializer.validated_data.get("expires_in_days"),
            scopes=serializer.validated_data.get("scopes"),
        )
        response = Response(
            {**TokenSerializer(token).data, "token": plain}, status=status.HTTP_201_CREATED
        )
        add_never_cache_headers(response)  # the token is shown once and kept by no cache
        return response

    def destroy(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The API every record kind shares: create / versioned PATCH / archive-on-DELETE through the
kind's own services, 409 on a stale version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from concurrency.api import conflict_response
from concurrency.versioning import StaleVersion


def validation_detail(exc: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError in the API's shape: field → sentences, errors about the
    whole record under `non_field_errors` (DRF's name), custom-field errors under
    `custom_fields` by key (the payload key integrations send them in). The API's exception
    handler (ecosystem.api_errors) and the bulk upsert's per-record errors both use it."""
    detail: dict[str, Any] = (
        exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
    )
    if "__all__" in detail:
        detail = {"non_field_errors": detail["__all__"]} | {
            k: v for k, v in detail.items() if k != "__all__"
        }
    custom = {k.removeprefix("cf_"): v for k, v in detail.items() if k.startswith("cf_")}
    if custom:
        detail = {k: v for k, v in detail.items() if not k.startswith("cf_")}
        detail["custom_fields"] = custom
    return detail


class VersionedRecordMixin:
    """For a GenericViewSet over a company's own records. Subclasses name their services:
    create(actor, company, data), update(actor, company, <object_name>, data, expected_version),
    archive(actor, company, <object_name>), and `object_name` for the keyword."""

    object_name: ClassVar[str]
    create_service: ClassVar[Callable[..., Any]]
    update_service: ClassVar[Callable[..., Any]]
    archive_service: ClassVar[Callable[..., Any]]

    def prepare_data(self, data: dict[str, Any]) -> dict[str, Any]:
        return data

    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(
            actor=request.user,
            company=request.tenant,
            data=self.prepare_data(dict(serializer.validated_data)),
        )
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)  # type: ignore[attr-defined]

    def partial_update(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        """Send the `version` you read; a stale one answers 409 with both values."""
        obj = self.get_object()  # type: ignore[attr-defined]
        serializer = self.get_serializer(obj, data=request.data, partial=True)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        data = self.prepare_data(dict(serializer.validated_data))
        if "version" not in data:
            raise serializers.ValidationError(
                {"version": ["Send the version you are editing (from your last read)."]}
            )
        expected = data.pop("version")
        if "custom" in data:
            data["custom_partial"] = True  # PATCH: only the custom fields sent change
        try:
            obj = type(self).update_service(
                actor=request.user,
                company=request.tenant,
                data=data,
                expected_version=expected,
                **{self.object_name: obj},
            )
        except StaleVersion as conflict:
            return conflict_response(conflict)
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]

    def destroy(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        """Archives (records are never destroyed through the API)."""
        type(self).archive_service(
            actor=request.user, company=request.tenant, **{self.object_name: self.get_object()}
        )  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)

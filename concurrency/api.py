"""How an API answers a stale version: 409 with both sides, documented in the schema."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from concurrency.versioning import StaleVersion

CONFLICT_SCHEMA = inline_serializer(
    "EditConflict",
    {
        "detail": serializers.CharField(),
        "theirs": serializers.DictField(),
        "yours": serializers.DictField(),
        "current_version": serializers.IntegerField(),
    },
)


def conflict_response(conflict: StaleVersion) -> Response:
    return Response(
        {
            "detail": str(conflict),
            "theirs": conflict.theirs,
            "yours": conflict.yours,
            "current_version": conflict.current_version,
        },
        status=status.HTTP_409_CONFLICT,
    )


def versioned_schema(serializer: type) -> Callable[[type], type]:
    """Class decorator: documents PATCH as 200 with `serializer` or 409 with both values."""
    return extend_schema_view(
        partial_update=extend_schema(
            request=serializer, responses={200: serializer, 409: CONFLICT_SCHEMA}
        )
    )

"""API errors as structured JSON: Django's ValidationError and Http404 become DRF's shapes,
so a service's message reaches the integration unchanged."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):  # type: ignore[no-untyped-def]
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        if "__all__" in detail:  # DRF's name for errors about the whole object
            detail = {"non_field_errors": detail["__all__"]} | {
                k: v for k, v in detail.items() if k != "__all__"
            }
        custom = {k.removeprefix("cf_"): v for k, v in detail.items() if k.startswith("cf_")}
        if custom:  # custom-field errors under the payload key integrations send them in
            detail = {k: v for k, v in detail.items() if not k.startswith("cf_")}
            detail["custom_fields"] = custom
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)

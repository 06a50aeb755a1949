from django import forms
from django.core.exceptions import ValidationError


class CommaListField(forms.CharField):
    """A list typed as comma-separated words; shown back the same way."""

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):  # type: ignore[no-untyped-def]
        text = super().to_python(value) or ""
        items = [" ".join(item.split()) for item in text.split(",")]
        return list(dict.fromkeys(i for i in items if i))


def form_errors_add(form: forms.Form, exc: ValidationError) -> None:
    """Puts a service's ValidationError on the form: field errors on their fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc: Exception) -> str:
    """A service's refusal (ValidationError, PermissionDenied) as one sentence for a message."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def int_or_none(value: str | None) -> int | None:
    """A posted number (a version, a parent's id), or None when it is missing or not one."""
    try:
        return int(value or "")
    except ValueError:
        return None

"""Saving an edit form of a company's own record with its version check: one loop for every
record kind, so a conflict or a validation error is shown the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from concurrency.versioning import StaleVersion
from ui.forms import form_errors_add


def versioned_form_save(
    form: forms.Form, *, current_version: int, save: Callable[[dict[str, Any], int], Any]
) -> tuple[bool, StaleVersion | None]:
    """Validates `form` and calls save(data, expected_version). Returns (saved, conflict).
    On a conflict the form keeps what the person typed and now carries the version they have
    seen, so saving again is a deliberate overwrite, never a silent one."""
    if not form.is_valid():
        return False, None
    data = dict(form.cleaned_data)
    expected = data.pop("version", None) or current_version
    try:
        save(data, expected)
    except StaleVersion as conflict:
        form.data = form.data.copy()
        form.data["version"] = conflict.current_version
        return False, conflict
    except ValidationError as exc:
        form_errors_add(form, exc)
        return False, None
    return True, None

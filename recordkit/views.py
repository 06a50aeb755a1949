"""The edit page every record kind shares: the kind builds its form; this adds the company's
custom fields, saves through the kind's versioned update (a stale version shows both sides
instead of overwriting) and answers with the kind's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sharing.collaboration.edit_forms import versioned_form_save


def record_edit(
    request: HttpRequest,
    *,
    obj: Any,
    form: forms.Form,
    update: Callable[..., Any],
    template: str,
    context_name: str,
    detail_url_name: str,
    saved_message: Callable[[Any], str],
) -> HttpResponse:
    """`update(actor=, company=, data=, expected_version=)` is the kind's service, bound to
    `obj`; `saved_message(obj)` what the person reads after a save."""
    form.add_custom_fields(company=request.tenant, values=obj.custom)  # type: ignore[attr-defined]
    saved, conflict = False, None
    if request.method == "POST":
        saved, conflict = versioned_form_save(
            form,
            current_version=obj.version,
            save=lambda data, expected: update(
                actor=request.user, company=request.tenant, data=data, expected_version=expected
            ),
        )
    if saved:
        messages.success(request, saved_message(obj))
        return redirect(detail_url_name, pk=obj.pk)
    return render(request, template, {"form": form, context_name: obj, "conflict": conflict})


def saved_and_shared(obj: Any) -> str:
    return "Saved." + (" Partners see the update." if obj.shared_record_id else "")

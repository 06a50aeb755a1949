"""Settings → Fields: a company admin's custom fields per record type. Thin: forms in,
services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from business.forms import (
    FieldDefinitionForm,
)
from business.models import FieldDefinition, ObjectType
from business.registry import object_type_choices
from business.selectors import (
    field_get,
    field_usage_count,
)
from business.services import (
    TypeChangeNeedsConfirmation,
    field_create,
    field_retire,
    field_update,
)
from tenants.decorators import admin_required
from ui.forms import form_errors_add, int_or_none


@admin_required
def field_list(request: HttpRequest) -> HttpResponse:
    object_type = request.GET.get("type", ObjectType.OPPORTUNITY)
    choices = object_type_choices()
    if object_type not in dict(choices):
        object_type = ObjectType.OPPORTUNITY
    fields = list(
        FieldDefinition.objects.filter(object_type=object_type).select_related("vocabulary")
    )
    return render(
        request,
        "business/field_list.html",
        {
            "tab": "fields",
            "object_type": object_type,
            "object_types": choices,
            "active": [f for f in fields if not f.retired_at],
            "retired": [f for f in fields if f.retired_at],
        },
    )


@admin_required
def field_new(request: HttpRequest) -> HttpResponse:
    form = FieldDefinitionForm(
        request.POST or None, initial={"object_type": request.GET.get("type", "opportunity")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition = field_create(
                actor=request.user, company=request.tenant, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the field “{definition.label}”.")
            return redirect(f"/settings/fields/?type={definition.object_type}")
    return render(request, "business/field_form.html", {"form": form, "tab": "fields"})


@admin_required
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    definition = field_get(pk=pk)
    form = FieldDefinitionForm(request.POST or None, instance=field_get(pk=pk), editing=True)
    confirm = None
    if request.method == "POST" and form.is_valid():
        try:
            field_update(
                actor=request.user,
                company=request.tenant,
                definition=definition,
                data=form.cleaned_data,
                expected_version=int_or_none(request.POST.get("version")),
                confirm_type_change=request.POST.get("confirm_type_change") == "1",
            )
        except TypeChangeNeedsConfirmation as pending:
            confirm = pending
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Saved the field “{form.cleaned_data['label']}”.")
            return redirect(f"/settings/fields/?type={definition.object_type}")
    return render(
        request,
        "business/field_form.html",
        {
            "form": form,
            "tab": "fields",
            "definition": definition,
            "usage": field_usage_count(definition),
            "confirm": confirm,
        },
    )


@admin_required
@require_POST
def field_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    definition = field_get(pk=pk)
    restore = request.POST.get("restore") == "1"
    try:
        field_retire(actor=request.user, definition=definition, retired=not restore)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/settings/fields/?type={definition.object_type}")
    messages.success(
        request,
        f"Restored “{definition.label}”."
        if restore
        else f"Retired “{definition.label}”. Its values stay on the records; restore it any time.",
    )
    return redirect(f"/settings/fields/?type={definition.object_type}")

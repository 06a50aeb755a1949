"""Settings → Rules: validation rules and stage requirements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from business.forms import (
    ValidationRuleForm,
)
from business.labels import request_labels
from business.models import StageRequirement, ValidationRule
from business.rules import (
    STAGE_ORDER,
    requirement_fields,
    requirement_set,
    rule_create,
    rule_remove,
)
from tenants.decorators import admin_required
from ui.forms import form_errors_add


@admin_required
def rules_page(request: HttpRequest) -> HttpResponse:
    """Validation rules (any record type) and required-by-stage (opportunities)."""
    form = ValidationRuleForm(request.POST or None, prefix="rule")
    if request.method == "POST" and request.POST.get("action") == "rule" and form.is_valid():
        try:
            rule = rule_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the rule “{rule.name}”.")
            return redirect("business_rules")
    elif request.method == "POST" and request.POST.get("action") == "stage":
        stage = request.POST.get("from_stage") or None
        try:
            requirement_set(
                actor=request.user, field_name=request.POST.get("field_name", ""), from_stage=stage
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Saved the stage requirement.")
        return redirect("business_rules")
    current = dict(StageRequirement.objects.values_list("field_name", "from_stage"))
    labels = request_labels(request)["stage"]
    return render(
        request,
        "business/rules.html",
        {
            "tab": "rules",
            "form": form,
            "rules": ValidationRule.objects.all(),
            "requirement_rows": [
                {"name": name, "label": label, "from_stage": current.get(name, "")}
                for name, label in requirement_fields()
            ],
            "stages": [(s, labels.get(s, s)) for s in STAGE_ORDER],
        },
    )


@admin_required
@require_POST
def rule_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = ValidationRule.objects.filter(pk=pk).first()
    if rule is None:
        from django.http import Http404

        raise Http404("No such rule.")
    rule_remove(actor=request.user, rule=rule)
    messages.success(request, f"Removed the rule “{rule.name}”.")
    return redirect("business_rules")

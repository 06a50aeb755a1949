"""Settings pages where a company admin shapes the business schema: custom fields per record
type, vocabularies and their terms. Thin: forms in, services do the work."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from business.configuration import configuration_export, configuration_import
from business.forms import (
    FieldDefinitionForm,
    SharingPolicyForm,
    TermForm,
    ValidationRuleForm,
    VocabularyForm,
)
from business.labels import request_labels
from business.models import FieldDefinition, ObjectType, StageRequirement, Term, ValidationRule
from business.policy import privatizable_fields, sharing_policy, sharing_policy_update
from business.registry import object_type_choices
from business.rules import (
    STAGE_ORDER,
    requirement_fields,
    requirement_set,
    rule_create,
    rule_remove,
)
from business.saved_views import saved_view_create, saved_view_delete
from business.selectors import (
    field_get,
    field_usage_count,
    terms_as_tree,
    vocabularies_with_terms,
    vocabulary_get,
)
from business.services import (
    TypeChangeNeedsConfirmation,
    field_create,
    field_retire,
    field_update,
    term_add,
    term_retire,
    term_update,
    vocabulary_create,
)
from business.withholding_ui import withheld_from_post, withholding_matrices
from edge.json_input import json_loads_bounded
from edge.text import HostileInput
from kinds import kind_get
from tenants.decorators import admin_required
from ui.forms import form_errors_add


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
                expected_version=_int(request.POST.get("version")),
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


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


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


@admin_required
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    form = VocabularyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vocabulary = vocabulary_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the vocabulary “{vocabulary.label}”.")
            return redirect("business_vocabulary", key=vocabulary.key)
    return render(
        request,
        "business/vocabulary_list.html",
        {"tab": "vocabularies", "vocabularies": vocabularies_with_terms(), "form": form},
    )


@admin_required
def vocabulary_detail(request: HttpRequest, key: str) -> HttpResponse:
    vocabulary = vocabulary_get(key=key)
    form = (
        None if vocabulary.is_canonical else TermForm(request.POST or None, vocabulary=vocabulary)
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            term = term_add(actor=request.user, vocabulary=vocabulary, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added “{term.label}”.")
            return redirect("business_vocabulary", key=vocabulary.key)
    return render(
        request,
        "business/vocabulary_detail.html",
        {
            "tab": "vocabularies",
            "vocabulary": vocabulary,
            "tree": terms_as_tree(vocabulary),
            "form": form,
        },
    )


def _term(vocabulary_key: str, pk: int) -> Term:
    vocabulary = vocabulary_get(key=vocabulary_key)
    term = vocabulary.terms.select_related("vocabulary", "parent").filter(pk=pk).first()
    if term is None:
        from django.http import Http404

        raise Http404("No such term.")
    return term


@admin_required
@require_POST
def term_update_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    term = _term(key, pk)
    data: dict = {"label": request.POST.get("label", term.label)}
    if "parent" in request.POST:
        parent_id = _int(request.POST.get("parent"))
        data["parent"] = term.vocabulary.terms.filter(pk=parent_id).first() if parent_id else None
    try:
        term_update(actor=request.user, term=term, data=data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Saved “{term.label}”.")
    return redirect("business_vocabulary", key=key)


@admin_required
@require_POST
def term_retire_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    term = _term(key, pk)
    restore = request.POST.get("restore") == "1"
    try:
        term_retire(actor=request.user, term=term, retired=not restore)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("business_vocabulary", key=key)
    messages.success(
        request,
        f"Restored “{term.label}”."
        if restore
        else f"Retired “{term.label}”. Records keep it; forms stop offering it.",
    )
    return redirect("business_vocabulary", key=key)


MAX_IMPORT_BYTES = 5_000_000


def _list_page(object_type: str) -> str:
    """The URL of the list a saved view belongs to (the pipeline for anything unknown)."""
    spec = kind_get(object_type)
    return reverse(spec.list_url_name if spec and spec.list_url_name else "opportunity_list")


@require_POST
def saved_view_new(request: HttpRequest) -> HttpResponse:
    object_type = request.POST.get("object_type", "")
    target = _list_page(object_type)
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            actor=request.user,
            object_type=object_type,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") == "on",
        )
    except ValidationError as exc:
        messages.error(request, "The view was not saved: " + " ".join(exc.messages))
        return redirect(f"{target}?{query}")
    messages.success(
        request,
        f"Saved the view “{view.name}”"
        + (" for everyone in your company." if view.shared else " for you."),
    )
    return redirect(f"{target}?{view.query}&view={view.pk}")


@require_POST
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    view = saved_view_delete(actor=request.user, pk=pk)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(_list_page(view.object_type))


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


@admin_required
def configuration_page(request: HttpRequest) -> HttpResponse:
    """Export the business configuration as JSON; import one (validated whole, then applied
    in one transaction)."""
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else request.POST.get("json", "").encode()
        if len(raw) > MAX_IMPORT_BYTES:
            problems = [f"The file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB."]
        else:
            try:
                document = json_loads_bounded(raw.strip() or b"null")
            except HostileInput as exc:  # not JSON, too deep, or text no field accepts
                problems = [exc.message]
            else:
                try:
                    counts = configuration_import(actor=request.user, document=document)
                except ValidationError as exc:
                    problems = exc.messages
                else:
                    summary = ", ".join(
                        f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items()
                    )
                    messages.success(request, f"Configuration imported: {summary}.")
                    return redirect("business_configuration")
    return render(
        request, "business/configuration.html", {"tab": "configuration", "problems": problems}
    )


@admin_required
def configuration_export_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(configuration_export(), indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{request.tenant.slug}-business-configuration.json"'
    )
    return response


@admin_required
def sharing_policy_page(request: HttpRequest) -> HttpResponse:
    policy = sharing_policy()
    privatizable = privatizable_fields()
    initial = {
        "sharer_roles": [r for r in policy.sharer_roles if r != "owner"],
        "default_role": policy.default_role,
        "allow_participant_resharing": policy.allow_participant_resharing,
        **{f"private_{k}": policy.private_core_fields.get(k, []) for k in privatizable},
    }
    form = SharingPolicyForm(request.POST or None, initial=initial, privatizable=privatizable)
    withheld = policy.withheld_fields or {}
    if request.method == "POST":
        withheld = withheld_from_post(request.POST)
    matrix_problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sharing_policy_update(
                actor=request.user,
                company=request.tenant,
                data={
                    "sharer_roles": ["owner", *data["sharer_roles"]],
                    "default_role": data["default_role"],
                    "allow_participant_resharing": data["allow_participant_resharing"],
                    "private_core_fields": {
                        k: data[f"private_{k}"] for k in privatizable if data[f"private_{k}"]
                    },
                    "withheld_fields": withheld,
                },
            )
        except ValidationError as exc:
            problems = dict(exc.message_dict)
            matrix_problems = problems.pop("withheld_fields", [])
            if problems:
                form_errors_add(form, ValidationError(problems))
        else:
            messages.success(
                request,
                "Sharing policy saved. Withheld fields apply to every shared record now; "
                "the rest applies to the next share and publish.",
            )
            return redirect("business_sharing_policy")
    return render(
        request,
        "business/sharing_policy.html",
        {
            "tab": "policy",
            "form": form,
            "matrices": withholding_matrices(withheld),
            "matrix_problems": matrix_problems,
        },
    )

"""Settings → Sharing policy: who may share, the default role, what is kept private and what
is withheld from which partners."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from business.forms import (
    SharingPolicyForm,
)
from business.policy import privatizable_fields, sharing_policy, sharing_policy_update
from business.withholding_ui import withheld_from_post, withholding_matrices
from tenants.decorators import admin_required
from ui.forms import form_errors_add


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

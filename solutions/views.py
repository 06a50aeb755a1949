"""Solution pages: the company's own solutions and sharing them with partners."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from business.display import custom_rows
from business.list_ui import custom_list
from business.selectors import fields_of
from recordkit.share_panel import (
    share_panel_context,
)
from recordkit.views import record_edit, saved_and_shared
from solutions.forms import SolutionForm
from solutions.models import Solution, SolutionStatus
from solutions.selectors import SORTS, solution_get, solutions_of_company
from solutions.services import (
    solution_archive,
    solution_create,
    solution_fields,
    solution_update,
)
from ui.forms import form_errors_add


def solution_list(request: HttpRequest) -> HttpResponse:
    query, status = request.GET.get("q", "").strip()[:100], request.GET.get("status", "")
    sort = request.GET.get("sort", "name")
    listing = custom_list(
        request,
        object_type=Solution.kind_key,
        queryset=solutions_of_company(query=query, status=status, sort=sort),
    )
    solutions = list(listing.queryset[:200])
    listing.attach_cells(solutions)
    return render(
        request,
        "solutions/list.html",
        {
            **listing.context,
            "solutions": solutions,
            "sort": sort,
            "sorts": SORTS.items(),
            "q": query,
            "status": status,
            "statuses": SolutionStatus.choices,
            "has_any": solutions_of_company().exists(),
        },
    )


def solution_new(request: HttpRequest) -> HttpResponse:
    form = SolutionForm(request.POST or None)
    form.add_custom_fields(company=request.tenant, values=None)
    if request.method == "POST" and form.is_valid():
        try:
            solution = solution_create(
                actor=request.user, company=request.tenant, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request, f"Solution “{solution.name}” created. It is private until you share it."
            )
            return redirect("solution_detail", pk=solution.pk)
    return render(request, "solutions/form.html", {"form": form, "creating": True})


def solution_detail(request: HttpRequest, pk: str) -> HttpResponse:
    solution = solution_get(pk=pk)
    return render(
        request,
        "solutions/detail.html",
        {
            "solution": solution,
            "custom_rows": custom_rows(
                definitions=fields_of(object_type=Solution.kind_key), values=solution.custom
            ),
            **share_panel_context(
                request,
                shared_record_id=solution.shared_record_id,
                kind="solution",
                source_id=solution.pk,
            ),
        },
    )


def solution_edit(request: HttpRequest, pk: str) -> HttpResponse:
    solution = solution_get(pk=pk)
    form = SolutionForm(
        request.POST or None, initial={**solution_fields(solution), "version": solution.version}
    )
    return record_edit(
        request,
        obj=solution,
        form=form,
        update=partial(solution_update, solution=solution),
        template="solutions/form.html",
        context_name="solution",
        detail_url_name="solution_detail",
        saved_message=saved_and_shared,
    )


@require_POST
def solution_archive_view(request: HttpRequest, pk: str) -> HttpResponse:
    solution = solution_get(pk=pk)
    solution_archive(actor=request.user, company=request.tenant, solution=solution)
    messages.success(request, f"Archived “{solution.name}”.")
    return redirect("solution_list")

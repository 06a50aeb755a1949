"""Marketing plan pages: plans, their campaigns and tasks, and sharing plans with partners."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from business.display import custom_rows
from business.list_ui import custom_list
from business.selectors import fields_of
from identity.models import User
from marketing.forms import CampaignForm, PlanForm, TaskForm
from marketing.models import MarketingPlan, PlanTask
from marketing.selectors import SORTS, plan_get, plans_of_company
from marketing.services import (
    campaign_add,
    plan_archive,
    plan_create,
    plan_update,
    task_add,
    task_toggle,
)
from recordkit.share_panel import (
    share_panel_context,
)
from recordkit.views import record_edit
from tenants.selectors import members_of_company
from ui.forms import form_errors_add


def plan_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "-period_start")
    listing = custom_list(
        request,
        object_type=MarketingPlan.kind_key,
        queryset=plans_of_company(query=query, sort=sort),
    )
    plans = list(listing.queryset[:200])
    listing.attach_cells(plans)
    return render(
        request,
        "marketing/list.html",
        {
            **listing.context,
            "plans": plans,
            "sort": sort,
            "sorts": SORTS.items(),
            "q": query,
            "has_any": plans_of_company().exists(),
        },
    )


def plan_new(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    form.add_custom_fields(company=request.tenant, values=None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(actor=request.user, company=request.tenant, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request, f"Plan “{plan.name}” created. Add campaigns and tasks, then share it."
            )
            return redirect("plan_detail", pk=plan.pk)
    return render(request, "marketing/form.html", {"form": form, "creating": True})


def plan_detail(request: HttpRequest, pk: str, campaign_form=None, task_form=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    plan = plan_get(pk=pk)
    members = list(members_of_company(company=request.tenant))
    tasks = list(plan.tasks.all())
    owners = {
        u.pk: u for u in User.objects.filter(pk__in={t.owner_id for t in tasks if t.owner_id})
    }
    for task in tasks:
        task.owner_user = owners.get(task.owner_id)
    return render(
        request,
        "marketing/detail.html",
        {
            "plan": plan,
            "custom_rows": custom_rows(
                definitions=fields_of(object_type=MarketingPlan.kind_key), values=plan.custom
            ),
            "campaigns": list(plan.campaigns.all()),
            "tasks": tasks,
            "campaign_form": campaign_form or CampaignForm(),
            "task_form": task_form or TaskForm(members=members),
            **share_panel_context(
                request,
                shared_record_id=plan.shared_record_id,
                kind="marketing_plan",
                source_id=plan.pk,
            ),
        },
    )


def plan_edit(request: HttpRequest, pk: str) -> HttpResponse:
    plan = plan_get(pk=pk)
    form = PlanForm(
        request.POST or None, instance=plan_get(pk=pk), initial={"version": plan.version}
    )
    return record_edit(
        request,
        obj=plan,
        form=form,
        update=partial(plan_update, plan=plan),
        template="marketing/form.html",
        context_name="plan",
        detail_url_name="plan_detail",
        saved_message=lambda plan: "Saved.",
    )


@require_POST
def plan_campaign_add(request: HttpRequest, pk: str) -> HttpResponse:
    plan = plan_get(pk=pk)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign_add(
                actor=request.user, company=request.tenant, plan=plan, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "Campaign added.")
            return redirect("plan_detail", pk=plan.pk)
    return plan_detail(request, pk, campaign_form=form)


@require_POST
def plan_task_add(request: HttpRequest, pk: str) -> HttpResponse:
    plan = plan_get(pk=pk)
    form = TaskForm(request.POST, members=list(members_of_company(company=request.tenant)))
    if form.is_valid():
        try:
            task_add(actor=request.user, company=request.tenant, plan=plan, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "Task added.")
            return redirect("plan_detail", pk=plan.pk)
    return plan_detail(request, pk, task_form=form)


@require_POST
def plan_task_toggle(request: HttpRequest, pk: str, task_pk: str) -> HttpResponse:
    plan = plan_get(pk=pk)
    task = PlanTask.objects.filter(pk=task_pk, plan=plan).first()
    if task is None:
        raise Http404("No such task.")
    task_toggle(actor=request.user, task=task)
    return redirect("plan_detail", pk=plan.pk)


@require_POST
def plan_archive_view(request: HttpRequest, pk: str) -> HttpResponse:
    plan = plan_get(pk=pk)
    plan_archive(actor=request.user, company=request.tenant, plan=plan)
    messages.success(request, f"Archived “{plan.name}”.")
    return redirect("plan_list")

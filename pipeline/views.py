"""Pipeline pages: the company's own opportunities, and sharing them with partners."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import account_get
from business.display import custom_rows
from business.labels import request_labels
from business.list_ui import custom_list
from business.query import without_custom_sort
from business.selectors import fields_of
from identity.models import User
from pipeline.filters import OpportunityFilter
from pipeline.forms import OpportunityForm
from pipeline.models import Opportunity
from pipeline.selectors import opportunities_of_company, opportunity_get
from pipeline.services import (
    opportunity_archive,
    opportunity_create,
    opportunity_update,
)
from recordkit.panels import record_panels
from recordkit.share_panel import (
    share_panel_context,
)
from recordkit.views import record_edit, saved_and_shared
from ui.forms import form_errors_add
from ui.pagination import lookahead_page


def _in_company_words(fields, request: HttpRequest, *, empty_motion: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Stage and motion choices labelled with the company's own terms (values stay canonical)."""
    labels = request_labels(request)
    if "stage" in fields:
        fields["stage"].choices = list(labels["stage"].items())
    if "motion" in fields:
        motion = list(labels["motion"].items())
        fields["motion"].choices = [("", empty_motion), *motion] if empty_motion else motion


def _error_text(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def opportunity_list(request: HttpRequest) -> HttpResponse:
    filters = OpportunityFilter(
        without_custom_sort(request.GET) or None, queryset=opportunities_of_company()
    )
    queryset = filters.qs if filters.is_valid() else opportunities_of_company()
    _in_company_words(filters.form.fields, request, empty_motion="Any motion")
    listing = custom_list(request, object_type=Opportunity.kind_key, queryset=queryset)
    page = lookahead_page(listing.queryset, request.GET.get("page"))
    owners = {u.pk: u for u in User.objects.filter(pk__in={o.owner_id for o in page.object_list})}
    detail = reverse("opportunity_detail", args=[_PLACEHOLDER])
    for opportunity in page.object_list:
        opportunity.owner_user = owners.get(opportunity.owner_id)
        opportunity.detail_url = detail.replace(_PLACEHOLDER, str(opportunity.pk))
    listing.attach_cells(page.object_list)
    return render(
        request,
        "pipeline/list.html",
        {
            "filters": filters,
            "page": page,
            "has_any": opportunities_of_company().exists(),
            **listing.context,
        },
    )


def _initial_customer(request: HttpRequest) -> dict[str, str]:
    """ "New opportunity" from an account's page starts with that customer."""
    try:
        account = account_get(pk=request.GET.get("account", ""))
    except Http404:
        return {}
    return {"customer_name": account.name, "customer_domain": account.domain}


def opportunity_new(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST or None, initial=_initial_customer(request))
    form.add_custom_fields(company=request.tenant, values=None)
    _in_company_words(form.fields, request)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = opportunity_create(
                actor=request.user, company=request.tenant, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                f"Opportunity “{opportunity.title}” with {opportunity.customer_name} created. "
                "It is private until you share it.",
            )
            return redirect("opportunity_detail", pk=opportunity.pk)
    return render(request, "pipeline/form.html", {"form": form, "creating": True})


def opportunity_detail(request: HttpRequest, pk: str) -> HttpResponse:
    opportunity = opportunity_get(pk=pk)
    return render(
        request,
        "pipeline/detail.html",
        {
            "opportunity": opportunity,
            "owner_user": User.objects.filter(pk=opportunity.owner_id).first(),
            "custom_rows": custom_rows(
                definitions=fields_of(object_type=Opportunity.kind_key),
                values=opportunity.custom,
            ),
            "panels": record_panels(request, Opportunity.kind_key, opportunity),
            **share_panel_context(
                request,
                shared_record_id=opportunity.shared_record_id,
                kind="opportunity",
                source_id=opportunity.pk,
            ),
        },
    )


def opportunity_edit(request: HttpRequest, pk: str) -> HttpResponse:
    opportunity = opportunity_get(pk=pk)
    form = OpportunityForm(
        request.POST or None,
        instance=opportunity_get(pk=pk),
        initial={"version": opportunity.version},
    )
    _in_company_words(form.fields, request)
    return record_edit(
        request,
        obj=opportunity,
        form=form,
        update=partial(opportunity_update, opportunity=opportunity),
        template="pipeline/form.html",
        context_name="opportunity",
        detail_url_name="opportunity_detail",
        saved_message=saved_and_shared,
    )


@require_POST
def opportunity_archive_view(request: HttpRequest, pk: str) -> HttpResponse:
    opportunity = opportunity_get(pk=pk)
    opportunity_archive(actor=request.user, company=request.tenant, opportunity=opportunity)
    messages.success(request, f"Archived the opportunity “{opportunity.title}”.")
    return redirect("opportunity_list")

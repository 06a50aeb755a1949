"""Account pages: the company's own customers (never shared)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import AccountForm
from accounts.models import Account
from accounts.selectors import SORTS, account_get, accounts_of_company
from accounts.services import account_archive, account_create, account_fields, account_update
from accounts.vocabularies import term_choices, term_labels
from business.display import custom_rows
from business.list_ui import custom_list
from business.selectors import fields_of
from identity.models import User
from recordkit.panels import record_panels
from recordkit.views import record_edit
from ui.forms import form_errors_add
from ui.pagination import lookahead_page


def account_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "industry", "region")}
    sort = request.GET.get("sort", "name")
    listing = custom_list(
        request,
        object_type=Account.kind_key,
        queryset=accounts_of_company(
            query=params["q"], industry=params["industry"], region=params["region"], sort=sort
        ),
    )
    page = lookahead_page(listing.queryset, request.GET.get("page"))
    labels = term_labels()
    for account in page.object_list:
        account.industry_label = labels["industry"].get(account.industry, account.industry)
        account.region_label = labels["region"].get(account.region, account.region)
    listing.attach_cells(page.object_list)
    choices = term_choices()
    return render(
        request,
        "accounts/list.html",
        {
            **listing.context,
            "page": page,
            "sort": sort,
            "sorts": SORTS.items(),
            **params,
            "industries": choices["industry"][1:],
            "regions": choices["region"][1:],
            "has_any": accounts_of_company().exists(),
        },
    )


def account_new(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    form.add_custom_fields(company=request.tenant, values=None)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_create(
                actor=request.user, company=request.tenant, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Account “{account.name}” created.")
            return redirect("account_detail", pk=account.pk)
    return render(request, "accounts/form.html", {"form": form, "creating": True})


def account_detail(request: HttpRequest, pk: str) -> HttpResponse:
    account = account_get(pk=pk)
    labels = term_labels()
    return render(
        request,
        "accounts/detail.html",
        {
            "account": account,
            "owner_user": User.objects.filter(pk=account.owner_id).first(),
            "industry": labels["industry"].get(account.industry, account.industry),
            "region": labels["region"].get(account.region, account.region),
            "market_unit": labels["market_unit"].get(account.market_unit, account.market_unit),
            "custom_rows": custom_rows(
                definitions=fields_of(object_type=Account.kind_key), values=account.custom
            ),
            "panels": record_panels(request, Account.kind_key, account),
        },
    )


def account_edit(request: HttpRequest, pk: str) -> HttpResponse:
    account = account_get(pk=pk)
    fields = account_fields(account)
    form = AccountForm(
        request.POST or None,
        initial={**fields, "domains": ", ".join(account.domains), "version": account.version},
        current=fields,
    )
    return record_edit(
        request,
        obj=account,
        form=form,
        update=partial(account_update, account=account),
        template="accounts/form.html",
        context_name="account",
        detail_url_name="account_detail",
        saved_message=lambda a: "Saved.",
    )


@require_POST
def account_archive_view(request: HttpRequest, pk: str) -> HttpResponse:
    account = account_get(pk=pk)
    account_archive(actor=request.user, company=request.tenant, account=account)
    messages.success(request, f"Archived the account “{account.name}”.")
    return redirect("account_list")

"""Connecting a CRM and reconnecting it: a form for the CRMs that take an address and a user
(Tryton) or a token (HubSpot's private apps), the CRM's own sign-in for the OAuth ones
(Salesforce, HubSpot), and the network's one callback address that sends the sign-in's answer
back to the company host that asked for it."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from integrations.addresses import crm_address_check
from integrations.connectors.base import ConnectorError
from integrations.connectors.oauth import (
    oauth_app,
    oauth_exchange,
    oauth_pending,
    oauth_start,
    state_host,
)
from integrations.connectors.registry import CONNECTORS
from integrations.forms import HubSpotConnectForm, SalesforceConnectForm, TrytonConnectForm
from integrations.selectors import connection_get
from integrations.services import connection_create, connection_credentials_update
from integrations.views import connection_view
from tenants.decorators import admin_required
from tenants.domains import host_url
from tenants.selectors import domain_is_registered
from ui.forms import error_text, form_errors_add

FORMS = {
    "tryton": TrytonConnectForm,
    "salesforce": SalesforceConnectForm,
    "hubspot": HubSpotConnectForm,
}


def _page(request: HttpRequest, connector: str, form: Any, connection: Any = None) -> HttpResponse:
    cls = CONNECTORS[connector]
    environment = form.data.get("environment", "") if form.is_bound else ""
    return render(
        request,
        "integrations/connect.html",
        {
            "tab": "integrations",
            "form": form,
            "connector": connector,
            "connector_label": cls.label,
            "connection": connection,
            "oauth": cls.oauth,
            "oauth_ready": oauth_app(connector, environment) is not None,
        },
    )


def _to_crm(
    request: HttpRequest, connector: str, form: Any, *, name: str, settings: dict
) -> HttpResponse | None:
    """Off to the CRM's sign-in (None, with the form's error, when no app is registered)."""
    app = oauth_app(connector, settings.get("environment", ""))
    if app is None:
        form.add_error(
            None,
            f"This deployment has no {CONNECTORS[connector].label} app registered yet: its "
            "operator sets the client id and secret (see the README's integration settings).",
        )
        return None
    url = oauth_start(
        request.session, app=app, host=request.get_host().split(":")[0], name=name,
        connection_settings=settings,
    )  # fmt: skip
    return HttpResponseRedirect(url)


@admin_required
def connection_new(request: HttpRequest, connector: str) -> HttpResponse:
    if connector not in FORMS:
        raise Http404("No such connector.")
    form = FORMS[connector](request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        sign_in = connector == "salesforce" or (
            connector == "hubspot" and not form.cleaned_data.get("token")
        )
        if sign_in:
            settings = {**form.settings(), **({"auth": "oauth"} if connector == "hubspot" else {})}
            response = _to_crm(request, connector, form, name=name, settings=settings)
            if response is not None:
                return response
            return _page(request, connector, form)
        try:
            if "url" in form.cleaned_data:
                crm_address_check(form.cleaned_data["url"])
            connection = connection_create(
                actor=request.user,
                actor_membership=request.membership,
                company=request.tenant,
                connector=connector,
                name=name,
                settings=form.settings(),
                secret=form.secret(),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                f"Connected to {connection.name}. Check the suggested mapping and its preview, then switch the sync on.",
            )
            return redirect("integration_mapping", pk=connection.pk)
    return _page(request, connector, form)


@connection_view
def connection_reconnect(request: HttpRequest, connection) -> HttpResponse:  # type: ignore[no-untyped-def]
    connector = connection.connector
    secret = json.loads(connection.secret or "{}")
    initial = {**connection.settings, "login": secret.get("login", "")}
    form = FORMS[connector](request.POST or None, initial=initial, reconnect=True)
    if request.method == "POST" and form.is_valid():
        if connector == "salesforce" or (
            connector == "hubspot" and not form.cleaned_data.get("token")
        ):
            settings = {**connection.settings, **form.settings()}
            if connector == "hubspot":
                settings["auth"] = "oauth"
            response = _to_crm(request, connector, form, name=connection.name, settings=settings)
            if response is not None:
                request.session["integrations_oauth"]["reconnect"] = str(connection.pk)
                request.session.modified = True
                return response
            return _page(request, connector, form, connection)
        try:
            if "url" in form.cleaned_data:
                crm_address_check(form.cleaned_data["url"])
            settings = {**connection.settings, **form.settings()}
            connection_credentials_update(
                actor=request.user,
                actor_membership=request.membership,
                connection=connection,
                settings=settings,
                secret=form.secret(),
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "Reconnected: the credentials work.")
            return redirect("integration_detail", pk=connection.pk)
    return _page(request, connector, form, connection)


@require_GET
def oauth_bounce(request: HttpRequest) -> HttpResponse:
    """The network's callback address: the signed state names the company host that started
    the sign-in; the answer goes there unchanged (the code is worthless without the PKCE
    verifier and the client secret, and the company host checks the admin's session)."""
    state = request.GET.get("state", "")
    try:
        host = state_host(state)
    except ValidationError:
        host = ""
    if not host or not domain_is_registered(host):
        return render(
            request,
            "integrations/oauth_failed.html",
            {"reason": "This sign-in answer is not one we asked for, or it is too old."},
            status=400,
        )
    query = {
        k: request.GET[k]
        for k in ("code", "state", "error", "error_description")
        if k in request.GET
    }
    return HttpResponseRedirect(
        host_url(host, "/settings/integrations/oauth/return/?" + urlencode(query))
    )


@admin_required
@require_GET
def oauth_return(request: HttpRequest) -> HttpResponse:
    """Back from the CRM's sign-in on the company host: the answer must belong to the sign-in
    this admin started here; then the code becomes tokens and the connection is recorded
    (or, reconnecting, its tokens replaced)."""
    try:
        pending = oauth_pending(
            request.session, request.GET.get("state", ""), request.get_host().split(":")[0]
        )
    except ValidationError as exc:
        return render(
            request, "integrations/oauth_failed.html", {"reason": error_text(exc)}, status=400
        )
    connector = pending["connector"]
    cls = CONNECTORS.get(connector)
    app = oauth_app(connector, pending["settings"].get("environment", ""))
    if cls is None or app is None:
        raise Http404("No such connector.")
    if request.GET.get("error"):
        reason = request.GET.get("error_description") or request.GET["error"]
        return render(
            request,
            "integrations/oauth_failed.html",
            {"reason": f"{cls.label} did not connect: {reason[:300]}", "connector": connector},
            status=400,
        )
    try:
        tokens = oauth_exchange(
            app, code=request.GET.get("code", ""), verifier=pending.get("verifier", "")
        )
        credentials = cls.from_tokens(tokens, pending["settings"])
        if pending.get("reconnect"):
            connection = connection_credentials_update(
                actor=request.user,
                actor_membership=request.membership,
                connection=connection_get(pk=pending["reconnect"]),
                settings=credentials.settings,
                secret=credentials.secret,
            )
            messages.success(request, f"Reconnected to {connection.name}.")
            return redirect("integration_detail", pk=connection.pk)
        connection = connection_create(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            connector=connector,
            name=pending.get("name", ""),
            settings=credentials.settings,
            secret=credentials.secret,
        )
    except ConnectorError as exc:
        reason = str(exc)
    except ValidationError as exc:
        reason = error_text(exc)
    else:
        messages.success(
            request,
            f"Connected to {connection.name}. Check the suggested mapping and its preview, then switch the sync on.",
        )
        return redirect("integration_mapping", pk=connection.pk)
    return render(
        request,
        "integrations/oauth_failed.html",
        {"reason": reason, "connector": connector},
        status=400,
    )

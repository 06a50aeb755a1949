"""Settings → Webhooks: add an endpoint, choose its events, reveal and rotate its secret, send
a test event, read the delivery log and resend. Admins only (endpoints are configuration);
another company's ids are 404 for everyone."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from tenants.decorators import admin_only_response, admin_required
from ui.forms import error_text, form_errors_add, int_or_none
from webhooks.catalogue import grouped
from webhooks.forms import EndpointForm, RotateForm
from webhooks.selectors import (
    LOG_FILTERS,
    attempts_of,
    deliveries_page,
    delivery_get,
    endpoint_get,
    endpoints_of_company,
)
from webhooks.services import (
    MAX_ENDPOINTS,
    delivery_resend,
    endpoint_create,
    endpoint_remove,
    endpoint_test_event_send,
    endpoint_update,
    secret_reveal,
    secret_rotate,
)

TAB = "webhooks"


def endpoint_view(view):  # type: ignore[no-untyped-def]
    """A page of one endpoint: looked up first (another company's id is a 404 for anyone,
    whatever their role), then admins only (members get the admin-only page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: str, **kwargs):  # type: ignore[no-untyped-def]
        endpoint = endpoint_get(pk=pk)
        if not request.membership.is_admin:
            return admin_only_response(request)
        return view(request, endpoint, **kwargs)

    return wrapped


@admin_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    endpoints = list(endpoints_of_company())
    return render(
        request,
        "webhooks/list.html",
        {
            "tab": TAB,
            "endpoints": endpoints,
            "catalogue": grouped(),
            "can_add": len(endpoints) < MAX_ENDPOINTS,
        },
    )


def _form_page(request: HttpRequest, form: EndpointForm, endpoint=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(
        request,
        "webhooks/form.html",
        {"tab": TAB, "form": form, "endpoint": endpoint, "catalogue": grouped()},
    )


@admin_required
def endpoint_new(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = endpoint_create(
                actor=request.user,
                actor_membership=request.membership,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(
                request,
                "Endpoint added. Reveal its signing secret below and give it to your receiver, "
                "then send a test event.",
            )
            return redirect("webhook_endpoint", pk=endpoint.pk)
    return _form_page(request, form)


@endpoint_view
def endpoint_edit(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(
                actor=request.user,
                actor_membership=request.membership,
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, "Endpoint saved.")
            return redirect("webhook_endpoint", pk=endpoint.pk)
    return _form_page(request, form, endpoint)


@endpoint_view
def endpoint_detail(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    status = request.GET.get("status", "")
    if status not in LOG_FILTERS:
        status = ""
    page = max(int_or_none(request.GET.get("page")) or 1, 1)
    deliveries, has_next = deliveries_page(endpoint=endpoint, status=status, page=page)
    soon = timezone.now() + dt.timedelta(minutes=1)
    context = {
        "tab": TAB,
        "endpoint": endpoint,
        "deliveries": deliveries,
        "status": status,
        "filters": LOG_FILTERS,
        "page": page,
        "has_next": has_next,
        # the log refreshes itself while an attempt is due within the minute
        "live": any(
            d.state == "pending" and (d.next_attempt_at is None or d.next_attempt_at <= soon)
            for d in deliveries
        ),
        "rotate_form": RotateForm(),
        "disable_after_days": f"{settings.WEBHOOKS_DISABLE_AFTER_HOURS / 24:g}",
    }
    if request.headers.get("HX-Request"):
        return render(request, "webhooks/_log.html", context)
    return render(request, "webhooks/endpoint.html", context)


@endpoint_view
@require_POST
def endpoint_toggle(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    turn_on = not endpoint.enabled
    try:
        endpoint_update(
            actor=request.user,
            actor_membership=request.membership,
            endpoint=endpoint,
            enabled=turn_on,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            "Switched on: new events go to it again. Resend what it missed from the log."
            if turn_on
            else "Switched off: nothing is sent to it until you switch it on.",
        )
    return redirect("webhook_endpoint", pk=endpoint.pk)


@endpoint_view
@require_POST
def endpoint_remove_view(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    endpoint_remove(actor=request.user, actor_membership=request.membership, endpoint=endpoint)
    messages.success(request, "Endpoint removed with its log.")
    return redirect("settings_webhooks")


@endpoint_view
@require_POST
def secret_reveal_view(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    secret = secret_reveal(
        actor=request.user, actor_membership=request.membership, endpoint=endpoint
    )
    fragment = request.headers.get("HX-Request")
    response = render(
        request,
        "webhooks/_secret.html" if fragment else "webhooks/secret.html",
        {"tab": TAB, "endpoint": endpoint, "secret": secret},
    )
    add_never_cache_headers(response)
    return response


@endpoint_view
@require_POST
def secret_rotate_view(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how long the old secret keeps working.")
        return redirect("webhook_endpoint", pk=endpoint.pk)
    try:
        endpoint = secret_rotate(
            actor=request.user,
            actor_membership=request.membership,
            endpoint=endpoint,
            grace_hours=form.cleaned_data["grace_hours"],
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("webhook_endpoint", pk=endpoint.pk)
    if endpoint.previous_secret_expires_at:
        when = endpoint.previous_secret_expires_at.strftime("%b %d, %H:%M UTC")
        told = f"A new signing secret. Until {when} every event carries both signatures: switch your receiver to the new secret before then."
    else:
        told = "A new signing secret: events are signed with it only, from now on."
    messages.success(request, told)
    return redirect("webhook_endpoint", pk=endpoint.pk)


@endpoint_view
@require_POST
def test_send_view(request: HttpRequest, endpoint) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        endpoint_test_event_send(
            actor=request.user, actor_membership=request.membership, endpoint=endpoint
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "A test event is on its way: its result shows in the log below.")
    return redirect("webhook_endpoint", pk=endpoint.pk)


@endpoint_view
def delivery_detail(request: HttpRequest, endpoint, delivery_pk: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    delivery = delivery_get(endpoint=endpoint, pk=delivery_pk)
    return render(
        request,
        "webhooks/delivery.html",
        {
            "tab": TAB,
            "endpoint": endpoint,
            "delivery": delivery,
            "attempts": attempts_of(delivery),
        },
    )


@endpoint_view
@require_POST
def delivery_resend_view(request: HttpRequest, endpoint, delivery_pk: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    delivery = delivery_get(endpoint=endpoint, pk=delivery_pk)
    delivery.endpoint = endpoint
    try:
        delivery_resend(actor=request.user, actor_membership=request.membership, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Resending now, with the same webhook-id.")
    return redirect("webhook_delivery", pk=endpoint.pk, delivery_pk=delivery.pk)

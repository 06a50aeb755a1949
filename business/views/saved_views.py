"""Saved views of a list: a named query string, personal or shared."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from business.saved_views import saved_view_create, saved_view_delete
from kinds import kind_get


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

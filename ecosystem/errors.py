"""Error pages: the product's own 404 and 500, and JSON under /api/ (an integration reading a
missing route gets the same shape as a missing record)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error


def _api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def failed(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side. Nothing was saved; try again."},
            status=500,
        )
    return server_error(request)

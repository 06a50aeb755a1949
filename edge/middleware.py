"""HostileInputMiddleware: refuses, once and before any view, tenant lookup or database query,
what no endpoint of ours can store or should parse (invariant 10): NUL and other control
characters in the path, query, form fields, JSON strings and the Authorization header; JSON
nested too deep; bodies larger than Django's upload limits. Bad cookies are dropped rather
than refused, so a browser with a mangled cookie still reaches the login page."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.template.loader import render_to_string

from edge.json_input import MalformedJSON, json_loads_bounded
from edge.text import HostileInput, text_check

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _check_querydict(data: QueryDict, *, kind: str, line: bool) -> None:
    for key, values in data.lists():
        text_check(key, where=f"The {kind} name “{key[:40]}”", line=True)
        for value in values:
            if isinstance(value, str):
                text_check(value, where=f"The {kind} “{key[:40]}”", line=line)


def _check_length(request: HttpRequest) -> None:
    """Refuses a body larger than any endpoint takes before a byte of it is read. (Django
    bounds form fields, not uploaded files: a 100 MB file part was read in full.)"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise HostileInput("The Content-Length header is not a number.") from None
    if length > settings.EDGE_MAX_BODY_BYTES:
        raise RequestDataTooBig


def _check_body(request: HttpRequest) -> None:
    content_type = request.content_type or ""
    if _is_json(content_type):
        raw = request.body
        # Not JSON at all: the view's parser answers that in its own words.
        with suppress(MalformedJSON):
            if raw.strip():
                json_loads_bounded(raw)
    elif request.method == "POST" and content_type in _FORM_TYPES:
        _check_querydict(request.POST, kind="field", line=False)
        for upload in request.FILES.values():
            text_check(upload.name or "", where="An uploaded file's name", line=True)
    elif content_type == "application/x-www-form-urlencoded" and request.body:
        # PUT/PATCH forms: Django leaves request.POST empty, DRF parses the body itself.
        _check_querydict(QueryDict(request.body), kind="field", line=False)
    elif content_type == "multipart/form-data" and request.body:
        # PUT/PATCH multipart: parsed here from the (size-checked) body Django keeps, so the
        # view's own parser reads the same bytes after us.
        fields, files = MultiPartParser(
            request.META, BytesIO(request.body), request.upload_handlers, request.encoding
        ).parse()
        _check_querydict(fields, kind="field", line=False)
        for upload in files.values():
            text_check(upload.name or "", where="An uploaded file's name", line=True)


def _check(request: HttpRequest) -> None:
    _check_length(request)
    text_check(request.path_info, where="The address", line=True)
    _check_querydict(request.GET, kind="parameter", line=True)
    authorization = request.META.get("HTTP_AUTHORIZATION")
    if authorization:
        text_check(authorization, where="The Authorization header", line=True)
    _check_body(request)


def _drop_bad_cookies(request: HttpRequest) -> None:
    cookies = request.COOKIES
    bad = [name for name, value in cookies.items() if not _clean_line(name + value)]
    if bad:
        request.COOKIES = {k: v for k, v in cookies.items() if k not in bad}


def _clean_line(value: str) -> bool:
    try:
        text_check(value, where="cookie", line=True)
    except HostileInput:
        return False
    return True


def _refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path_info.startswith("/scim/"):  # a SCIM Error document (RFC 7644 §3.12)
        return JsonResponse(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": str(status),
                "detail": message,
            },
            status=status,
            content_type="application/scim+json",
        )
    wants_json = request.path_info.startswith("/api/") or "json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(
        render_to_string("400.html", {"message": message, "status": status}), status=status
    )


class HostileInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            _check(request)
        except HostileInput as exc:
            return _refusal(request, exc.message, exc.status)
        except RequestDataTooBig:
            return _refusal(
                request,
                "The request body is larger than we accept. Send less data at once.",
                413,
            )
        except TooManyFieldsSent:
            return _refusal(request, "The form has more fields than we accept.", 400)
        except MultiPartParserError as exc:
            return _refusal(request, f"The multipart body could not be read: {exc}.", 400)
        _drop_bad_cookies(request)
        return self.get_response(request)

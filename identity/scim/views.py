"""The /scim/v2/ endpoints on a company's host. Each request authenticates with the company's
SCIM token (nothing else is accepted here: no session, no personal token), then reads or
writes that company's directory only. Errors are SCIM Error documents (RFC 7644 §3.12)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    NotFoundException,
    PatchOp,
    ResponseParameters,
    SCIMException,
    SearchRequest,
)

from edge.json_input import json_loads_bounded
from edge.text import HostileInput
from identity.models import DirectoryGroup, DirectoryUser
from identity.scim import directory
from identity.scim.auth import ScimCaller, scim_caller
from identity.scim.filters import GROUP_FIELDS, USER_FIELDS, filter_q
from identity.scim.resources import (
    CONFIG,
    DEFAULT_COUNT,
    MAX_RESULTS,
    PROVIDER,
    ScimGroup,
    ScimUser,
)
from identity.scim.serialize import group_data, group_resource, user_data, user_resource

CONTENT_TYPE = "application/scim+json"
JSON_TYPES = ("application/scim+json", "application/json")
MAX_INDEX = 2**31 - 1
MAX_FILTER_LENGTH = 2_000


def _json(document: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, default=str), status=status, content_type=CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return _json(error.model_dump(), status=status)


def _scim_error(exc: SCIMException) -> HttpResponse:
    return _json(exc.to_error().model_dump(), status=int(exc.status))


def _body(request: HttpRequest) -> Any:
    if request.content_type not in JSON_TYPES:
        raise _BadRequest(
            "Send the body as application/scim+json (or application/json).", "invalidSyntax"
        )
    try:
        return json_loads_bounded(request.body)
    except HostileInput as exc:
        raise _BadRequest(exc.message) from None


class _BadRequest(Exception):
    def __init__(self, detail: str, scim_type: str = "invalidSyntax") -> None:
        super().__init__(detail)
        self.detail, self.scim_type = detail, scim_type


def _validation_error(exc: ValidationError) -> HttpResponse:
    errors = Error.from_validation_errors(exc.errors())
    error = errors[0] if errors else Error(status=400, detail="The request is not valid SCIM.")
    return _json(error.model_dump(), status=int(error.status or 400))


def scim_endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authenticates, and turns every refusal into a SCIM error (never a 500 for bad input)."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        caller = scim_caller(request)
        if isinstance(caller, HttpResponse):
            return caller
        request.scim = caller  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except SCIMException as exc:
            return _scim_error(exc)
        except ValidationError as exc:
            return _validation_error(exc)
        except _BadRequest as exc:
            return error_response(400, exc.detail, exc.scim_type)
        except DjangoValidationError as exc:
            return error_response(400, " ".join(exc.messages), "invalidValue")

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _not_allowed(allowed: str) -> HttpResponse:
    response = error_response(405, f"Use {allowed} here.")
    response["Allow"] = allowed
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def _params(request: HttpRequest, model: Any) -> ResponseParameters:
    return ResponseParameters[model].model_validate(
        {
            "attributes": request.GET.get("attributes") or None,
            "excludedAttributes": request.GET.get("excludedAttributes") or None,
        }
    )


def _dump(resource: Any, request: HttpRequest, model: Any, ctx: Context) -> dict[str, Any]:
    return resource.model_dump(
        scim_ctx=ctx, response_parameters=_params(request, model), scim_provider=PROVIDER
    )


# -- discovery ------------------------------------------------------------------------------


@scim_endpoint
def service_provider_config(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return _not_allowed("GET")
    document = CONFIG.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    document["meta"] = {
        "resourceType": "ServiceProviderConfig",
        "location": f"{_base(request)}/ServiceProviderConfig",
    }
    return _json(document)


def _listed(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": len(items),
        "itemsPerPage": len(items),
        "startIndex": 1,
        "Resources": items,
    }


def _discovery(request: HttpRequest, objects: Any, kind: str, key: str | None) -> HttpResponse:
    if request.method != "GET":
        return _not_allowed("GET")
    documents = []
    for obj in objects:
        document = obj.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        document["meta"] = {"resourceType": kind, "location": f"{_base(request)}/{kind}s/{obj.id}"}
        documents.append(document)
    if key is None:
        return _json(_listed(documents))
    found = next((d for d in documents if d.get("id") == key), None)
    if found is None:
        return error_response(404, f"No {kind} “{key[:80]}”.")
    return _json(found)


@scim_endpoint
def resource_types(request: HttpRequest, key: str | None = None) -> HttpResponse:
    return _discovery(request, PROVIDER.resource_types, "ResourceType", key)


@scim_endpoint
def schemas(request: HttpRequest, key: str | None = None) -> HttpResponse:
    return _discovery(request, PROVIDER.schemas, "Schema", key)


# -- users and groups -----------------------------------------------------------------------


_QUERY_KEYS = ("filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy")


def _query(request: HttpRequest) -> dict[str, Any]:
    """The search parameters: the query string of a GET, the body of a POST …/.search."""
    if request.method == "POST":
        body = _body(request)
        if not isinstance(body, dict):
            raise _BadRequest("Send a SearchRequest object.")
        body.pop("schemas", None)
        return body
    return {k: request.GET[k] for k in _QUERY_KEYS if request.GET.get(k) not in (None, "")}


def _page(
    request: HttpRequest, model: Any, queryset: Any, fields: dict, make: Callable
) -> HttpResponse:
    params = _query(request)
    if len(str(params.get("filter") or "")) > MAX_FILTER_LENGTH:
        raise _BadRequest(
            f"The filter is longer than {MAX_FILTER_LENGTH:,} characters.", "invalidFilter"
        )
    if params.get("sortBy"):
        raise _BadRequest("Sorting is not supported (see ServiceProviderConfig).", "invalidValue")
    query = SearchRequest[model].model_validate(params)
    ast = query.filter.ast if query.filter is not None else None
    rows = queryset.filter(filter_q(ast, fields)).distinct().order_by("created_at", "id")
    total = rows.count()
    start = min(max(query.start_index or 1, 1), MAX_INDEX)
    count = DEFAULT_COUNT if query.count is None else min(max(query.count, 0), MAX_RESULTS)
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    resources = [make(row) for row in page]
    listing = ListResponse[model](
        total_results=total,
        start_index=start,
        items_per_page=len(resources),
        resources=resources,
    )
    shown = ResponseParameters[model].model_validate(
        {"attributes": query.attributes, "excludedAttributes": query.excluded_attributes}
    )
    return _json(
        listing.model_dump(
            scim_ctx=Context.SEARCH_RESPONSE, response_parameters=shown, scim_provider=PROVIDER
        )
    )


def _users(caller: ScimCaller) -> Any:
    return (
        DirectoryUser.objects.filter(company=caller.company)
        .select_related("user")
        .prefetch_related("groups")
    )


def _groups(caller: ScimCaller) -> Any:
    return DirectoryGroup.objects.filter(company=caller.company).prefetch_related(
        "directorygroupmember_set__member"
    )


def _one(queryset: Any, pk: str, kind: str) -> Any:
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, DjangoValidationError):
        found = None
    if found is None:
        raise NotFoundException(detail=f"No {kind} “{pk[:80]}” in this directory.")
    return found


def _created(request: HttpRequest, document: dict[str, Any]) -> HttpResponse:
    return _json(document, status=201, Location=document["meta"]["location"])


def _user_list(request: HttpRequest) -> HttpResponse:
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    base = _base(request)
    return _page(request, ScimUser, _users(caller), USER_FIELDS, lambda e: user_resource(e, base))


def _group_list(request: HttpRequest) -> HttpResponse:
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    base = _base(request)
    return _page(
        request, ScimGroup, _groups(caller), GROUP_FIELDS, lambda g: group_resource(g, base)
    )


def _changed(request: HttpRequest, model: Any, current: Any) -> Any:
    """The resource after a PUT (replaced, read-only values kept) or a PATCH (applied to the
    current one, atomically: a failing operation raises before anything is saved); None for
    any other method."""
    if request.method == "PUT":
        resource = model.model_validate(
            _body(request), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST
        )
        resource.replace(current)
        return resource
    if request.method == "PATCH":
        patch = PatchOp[model].model_validate(
            _body(request), scim_ctx=Context.RESOURCE_PATCH_REQUEST
        )
        patch.patch(current)
        return current
    return None


def _written_context(request: HttpRequest) -> Context:
    if request.method == "PUT":
        return Context.RESOURCE_REPLACEMENT_RESPONSE
    return Context.RESOURCE_PATCH_RESPONSE


@scim_endpoint
def users(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _user_list(request)
    if request.method != "POST":
        return _not_allowed("GET, POST")
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    resource = ScimUser.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    entry = directory.user_create(
        actor=caller.user, company=caller.company, data=user_data(resource)
    )
    document = user_resource(entry, _base(request))
    return _created(request, _dump(document, request, ScimUser, Context.RESOURCE_CREATION_RESPONSE))


@scim_endpoint
def user(request: HttpRequest, pk: str) -> HttpResponse:
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    base = _base(request)
    entry = _one(_users(caller), pk, "user")
    if request.method == "GET":
        return _json(
            _dump(user_resource(entry, base), request, ScimUser, Context.RESOURCE_QUERY_RESPONSE)
        )
    if request.method == "DELETE":
        directory.user_delete(actor=caller.user, entry=entry)
        return HttpResponse(status=204)
    resource = _changed(request, ScimUser, user_resource(entry, base))
    if resource is None:
        return _not_allowed("GET, PUT, PATCH, DELETE")
    entry = directory.user_update(actor=caller.user, entry=entry, data=user_data(resource))
    entry = _one(_users(caller), str(entry.pk), "user")
    return _json(_dump(user_resource(entry, base), request, ScimUser, _written_context(request)))


@scim_endpoint
def groups(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _group_list(request)
    if request.method != "POST":
        return _not_allowed("GET, POST")
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    resource = ScimGroup.model_validate(_body(request), scim_ctx=Context.RESOURCE_CREATION_REQUEST)
    group = directory.group_create(
        actor=caller.user, company=caller.company, data=group_data(resource)
    )
    document = group_resource(group, _base(request))
    return _created(
        request, _dump(document, request, ScimGroup, Context.RESOURCE_CREATION_RESPONSE)
    )


@scim_endpoint
def group(request: HttpRequest, pk: str) -> HttpResponse:
    caller: ScimCaller = request.scim  # type: ignore[attr-defined]
    base = _base(request)
    found = _one(_groups(caller), pk, "group")
    if request.method == "GET":
        return _json(
            _dump(group_resource(found, base), request, ScimGroup, Context.RESOURCE_QUERY_RESPONSE)
        )
    if request.method == "DELETE":
        directory.group_delete(actor=caller.user, group=found)
        return HttpResponse(status=204)
    resource = _changed(request, ScimGroup, group_resource(found, base))
    if resource is None:
        return _not_allowed("GET, PUT, PATCH, DELETE")
    found = directory.group_update(actor=caller.user, group=found, data=group_data(resource))
    found = _one(_groups(caller), str(found.pk), "group")
    return _json(_dump(group_resource(found, base), request, ScimGroup, _written_context(request)))


@scim_endpoint
def users_search(request: HttpRequest) -> HttpResponse:
    return _user_list(request) if request.method == "POST" else _not_allowed("POST")


@scim_endpoint
def groups_search(request: HttpRequest) -> HttpResponse:
    return _group_list(request) if request.method == "POST" else _not_allowed("POST")


@scim_endpoint
def root_search(request: HttpRequest) -> HttpResponse:
    return error_response(
        501, "Searching several resource types at once is not supported: use /Users/.search."
    )


@scim_endpoint
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "There is no such SCIM endpoint here.")

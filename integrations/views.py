"""Settings → Integrations: connect a CRM, map its fields with a preview, switch the sync on
and watch it, resolve conflicts, replay records that failed. Admins only (a company's
connections and mappings are configuration); another company's ids are 404 for everyone."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from business.models import Term
from identity.models import User
from integrations.connectors.registry import CONNECTORS
from integrations.coselling import record_add_to_crm
from integrations.models import ConflictState, DeletionPolicy, SystemOfRecord
from integrations.preview import mapping_preview
from integrations.records import ADAPTERS
from integrations.selectors import (
    conflict_get,
    connection_get,
    connection_health,
    connections_of_company,
    letter_get,
    object_mapping_get,
    open_conflicts,
    open_letters,
    run_get,
)
from integrations.services import (
    conflict_resolve,
    connection_disconnect,
    connection_pause,
    connection_refresh_catalog,
    connection_resume,
    connection_switch_on,
    dead_letter_replay,
    object_mapping_update,
    remote_fields_of,
    sync_run_start,
    webhook_secret_rotate,
)
from integrations.suggest import compatible
from integrations.targets import target_fields
from integrations.webhooks_in import AlreadySeen, change_notice_receive
from sharing.records.access import shared_record_get_for_actor
from tenants.decorators import admin_only_response, admin_required
from ui.forms import error_text


def connection_view(view):  # type: ignore[no-untyped-def]
    """A page of one connection: looked up first (another company's id is a 404 for anyone,
    whatever their role), then admins only (members get the admin-only page)."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: str, **kwargs):  # type: ignore[no-untyped-def]
        connection = connection_get(pk=pk)
        if not request.membership.is_admin:
            return admin_only_response(request)
        return view(request, connection, **kwargs)

    return wrapped


@admin_required
def integrations_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/list.html",
        {
            "tab": "integrations",
            "connections": list(connections_of_company()),
            # (key, label): the classes themselves would be called by the template engine
            "connectors": [(key, cls.label) for key, cls in CONNECTORS.items()],
        },
    )


@csrf_exempt
@require_POST
def change_notice(request: HttpRequest, pk: str) -> HttpResponse:
    """A CRM's signed change notice (no session: the signature is the credential)."""
    try:
        connection = connection_get(pk=pk)
    except Http404:
        return JsonResponse({"detail": "No such connection."}, status=404)
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        run = change_notice_receive(connection=connection, body=request.body, headers=headers)
    except AlreadySeen:
        return JsonResponse({"detail": "This notice was received already."}, status=200)
    except ValidationError as exc:
        return JsonResponse(
            {"detail": error_text(exc)}, status=401 if "signature" in error_text(exc) else 400
        )
    return JsonResponse({"run": str(run.pk), "state": run.state}, status=202)


@require_POST
def shared_add_to_crm(request: HttpRequest, pk: str) -> HttpResponse:
    """Any member may put a deal a partner shares with them into the company's CRM; the
    record is looked up through the access function (404 for anyone not on its list)."""
    record = shared_record_get_for_actor(user=request.user, company=request.tenant, pk=pk)
    if record.kind != "opportunity":
        raise Http404("Only deals go to a CRM.")
    try:
        copy, asked = record_add_to_crm(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            record=record,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("shared_detail", pk=record.pk)
    messages.success(
        request,
        "Added to your pipeline; it goes to your CRM with the next sync."
        if asked
        else "It is in your CRM already (or on its way).",
    )
    return redirect("opportunity_detail", pk=copy.pk)


@connection_view
def connection_detail(request: HttpRequest, connection) -> HttpResponse:
    response = render(
        request,
        "integrations/connection.html",
        {"tab": "integrations", "connection": connection, "health": connection_health(connection)},
    )
    add_never_cache_headers(response)  # it shows the change notices' secret
    return response


@connection_view
@require_POST
def webhook_secret_rotate_view(request: HttpRequest, connection) -> HttpResponse:
    return _act(
        request,
        lambda: webhook_secret_rotate(
            actor=request.user, actor_membership=request.membership, connection=connection
        ),
        "A new secret for change notices: give it to your CRM; the old one no longer works.",
        connection.pk,
    )


@connection_view
def run_progress(request: HttpRequest, connection, run_pk: str) -> HttpResponse:
    """The progress bar's fragment, polled while the run is going; when the run ends, the
    page reloads once, so its runs, health and counts are the new ones too."""
    run = run_get(connection=connection, pk=run_pk)
    response = render(
        request, "integrations/_run_progress.html", {"connection": connection, "run": run}
    )
    finished = run.state not in ("queued", "running")
    if finished and request.headers.get("HX-Request") and request.GET.get("live"):
        response["HX-Refresh"] = "true"
    return response


def _mapping_rows(connection, mapping) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Each of our fields with its current CRM field, the CRM fields that fit it, and (for
    choices) the CRM's values with what each maps onto."""
    current = {f.local_field: f for f in mapping.fields.all()}
    remote = remote_fields_of(connection, mapping.remote_object)
    rows = []
    for target in target_fields(mapping.kind):
        chosen = current.get(target.key)
        remote_field = next(
            (r for r in remote if chosen and r["name"] == chosen.remote_field), None
        )
        rows.append(
            {
                "target": target,
                "chosen": chosen,
                "options": [r for r in remote if compatible(target, r)],
                "choices": (remote_field or {}).get("choices", [])
                if target.type == "choice"
                else [],
                "value_map": chosen.value_map if chosen else {},
                "transform": chosen.transform if chosen else {},
            }
        )
    return rows


def _terms_for(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    vocabularies = {r["target"].vocabulary for r in rows if r["target"].vocabulary}
    out: dict[str, list[tuple[str, str]]] = {v: [] for v in vocabularies}
    for term in Term.objects.filter(
        vocabulary__key__in=vocabularies, retired_at__isnull=True
    ).select_related("vocabulary"):
        out[term.vocabulary.key].append((term.key, term.label))
    return out


@connection_view
def connection_mapping(request: HttpRequest, connection) -> HttpResponse:
    mappings = list(connection.object_mappings.prefetch_related("fields"))
    sections = []
    for mapping in mappings:
        rows = _mapping_rows(connection, mapping)
        terms = _terms_for(rows)
        for row in rows:
            row["terms"] = terms.get(row["target"].vocabulary, [])
        sections.append({"mapping": mapping, "rows": rows})
    return render(
        request,
        "integrations/mapping.html",
        {
            "tab": "integrations",
            "connection": connection,
            "sections": sections,
            "sors": SystemOfRecord.choices,
            "deletion_policies": DeletionPolicy.choices,
        },
    )


def _posted_rows(request: HttpRequest, mapping) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    rows = []
    for target in target_fields(mapping.kind):
        key = target.key
        remote = request.POST.get(f"remote:{key}", "")
        value_map = {
            name.removeprefix(f"map:{key}:"): value
            for name, value in request.POST.items()
            if name.startswith(f"map:{key}:") and value
        }
        transform: dict[str, Any] = {}
        if request.POST.get(f"case:{key}"):
            transform["case"] = request.POST[f"case:{key}"]
        if request.POST.get(f"date_format:{key}"):
            transform["date_format"] = request.POST[f"date_format:{key}"][:40]
        if request.POST.get(f"decimal_comma:{key}"):
            transform["decimal_comma"] = True
        if request.POST.get(f"if_empty:{key}"):
            transform["if_empty"] = request.POST[f"if_empty:{key}"][:40]
        existing = next((f for f in mapping.fields.all() if f.local_field == key), None)
        if existing and existing.transform.get("push_map"):
            transform["push_map"] = existing.transform["push_map"]
        rows.append(
            {
                "local_field": key,
                "remote_field": remote,
                "system_of_record": request.POST.get(f"sor:{key}", SystemOfRecord.BOTH),
                "value_map": value_map,
                "transform": transform,
            }
        )
    return rows


@connection_view
@require_POST
def mapping_save(request: HttpRequest, connection, mapping_pk: str) -> HttpResponse:
    mapping = object_mapping_get(connection=connection, pk=mapping_pk)
    try:
        object_mapping_update(
            actor=request.user,
            actor_membership=request.membership,
            connection=connection,
            mapping=mapping,
            fields=_posted_rows(request, mapping),
            on_remote_delete=request.POST.get("on_remote_delete", DeletionPolicy.ARCHIVE),
            create_remote=request.POST.get("create_remote") == "on",
        )
    except ValidationError as exc:
        messages.error(request, "Nothing was saved. " + error_text(exc))
        return redirect("integration_mapping", pk=connection.pk)
    if request.POST.get("then") == "preview":
        return redirect("integration_preview", pk=connection.pk, mapping_pk=mapping.pk)
    messages.success(request, f"Mapping of {mapping.remote_label or mapping.remote_object} saved.")
    return redirect("integration_mapping", pk=connection.pk)


@connection_view
def mapping_preview_view(request: HttpRequest, connection, mapping_pk: str) -> HttpResponse:
    mapping = object_mapping_get(connection=connection, pk=mapping_pk)
    rows, problem = mapping_preview(connection, mapping)
    return render(
        request,
        "integrations/preview.html",
        {
            "tab": "integrations",
            "connection": connection,
            "mapping": mapping,
            "rows": rows,
            "problem": problem,
            "labels": [c.label for c in rows[0].cells] if rows else [],
            "errors": sum(r.errors for r in rows),
        },
    )


def _act(request: HttpRequest, action, success: str, pk: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("integration_detail", pk=pk)


@connection_view
@require_POST
def connection_switch_on_view(request: HttpRequest, connection) -> HttpResponse:
    return _act(
        request,
        lambda: connection_switch_on(
            actor=request.user, actor_membership=request.membership, connection=connection
        ),
        "The sync is on: the first import has started.",
        connection.pk,
    )


@connection_view
@require_POST
def connection_sync_now(request: HttpRequest, connection) -> HttpResponse:
    return _act(
        request,
        lambda: sync_run_start(
            actor=request.user, actor_membership=request.membership, connection=connection
        ),
        "A sync has started.",
        connection.pk,
    )


@connection_view
@require_POST
def connection_pause_view(request: HttpRequest, connection) -> HttpResponse:
    if connection.state == "paused":
        return _act(
            request,
            lambda: connection_resume(
                actor=request.user, actor_membership=request.membership, connection=connection
            ),
            "Resumed: the sync picks up where it stopped.",
            connection.pk,
        )
    return _act(
        request,
        lambda: connection_pause(
            actor=request.user, actor_membership=request.membership, connection=connection
        ),
        "Paused: nothing syncs until you resume.",
        connection.pk,
    )


@connection_view
@require_POST
def connection_refresh_view(request: HttpRequest, connection) -> HttpResponse:
    try:
        connection_refresh_catalog(actor_membership=request.membership, connection=connection)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Read the CRM's objects and fields again.")
    return redirect("integration_mapping", pk=connection.pk)


@connection_view
@require_POST
def connection_disconnect_view(request: HttpRequest, connection) -> HttpResponse:
    connection_disconnect(
        actor=request.user,
        actor_membership=request.membership,
        company=request.tenant,
        connection=connection,
    )
    messages.success(request, f"Disconnected {connection.name}. The records it brought stay.")
    return redirect("settings_integrations")


@connection_view
def connection_conflicts(request: HttpRequest, connection) -> HttpResponse:
    conflicts = list(open_conflicts(connection)[:200])
    return render(
        request,
        "integrations/conflicts.html",
        {"tab": "integrations", "connection": connection, "conflicts": _describe(conflicts)},
    )


def _describe(conflicts: list) -> list:  # type: ignore[type-arg]
    """Each conflict with its record's name and the person who changed ours."""
    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={c.ours_changed_by_id for c in conflicts if c.ours_changed_by_id}
        )
    }
    for kind, adapter in ADAPTERS.items():
        ids = [c.link.local_id for c in conflicts if c.link.kind == kind]
        objects = adapter.model.objects.in_bulk(ids)
        for c in conflicts:
            if c.link.kind == kind:
                c.record = objects.get(c.link.local_id)
    labels = {}
    for c in conflicts:
        if c.link.kind not in labels:
            labels[c.link.kind] = {t.key: t.label for t in target_fields(c.link.kind)}
        c.field_label = labels[c.link.kind].get(c.local_field, c.local_field)
        c.changed_by = people.get(c.ours_changed_by_id)
    return conflicts


@connection_view
@require_POST
def conflict_resolve_view(request: HttpRequest, connection, conflict_pk: str) -> HttpResponse:
    conflict = conflict_get(connection=connection, pk=conflict_pk)
    choice = request.POST.get("choice", "")
    value = request.POST.get("value", "")[:10_000] if choice == ConflictState.EDITED else None
    try:
        conflict_resolve(
            actor=request.user,
            actor_membership=request.membership,
            company=request.tenant,
            conflict=conflict,
            choice=choice,
            value=value,
        )
    except ValidationError as exc:
        messages.error(request, "Not resolved: " + error_text(exc))
    else:
        messages.success(request, "Resolved. The next sync writes the chosen value on both sides.")
    return redirect("integration_conflicts", pk=connection.pk)


@connection_view
def connection_letters(request: HttpRequest, connection) -> HttpResponse:
    return render(
        request,
        "integrations/letters.html",
        {
            "tab": "integrations",
            "connection": connection,
            "letters": list(open_letters(connection)[:200]),
        },
    )


@connection_view
@require_POST
def letter_replay(request: HttpRequest, connection, letter_pk: str) -> HttpResponse:
    letter = letter_get(connection=connection, pk=letter_pk)
    try:
        dead_letter_replay(actor=request.user, actor_membership=request.membership, letter=letter)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Replaying it in a new sync.")
    return redirect("integration_letters", pk=connection.pk)

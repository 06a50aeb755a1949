"""Import a file (upload → match columns → check → import with progress → rows that failed)
and export a list. Members import into their own company; each sees their own imports,
admins everyone's. Another company's import id is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from integrations.files.columns import KINDS, columns_of
from integrations.files.exports import Echo, csv, escaped, export_csv, export_xlsx
from integrations.files.reading import MAX_BYTES, MAX_ROWS, size_label
from integrations.files.services import (
    DATE_FORMATS,
    failed_rows_table,
    import_check_start,
    import_columns_save,
    import_progress,
    import_run_start,
    import_upload,
    sample_rows,
)
from integrations.files.tasks import import_check_queue, import_run_queue
from integrations.models import ImportJob, ImportMode, ImportState
from ui.forms import error_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job(request: HttpRequest, pk: str) -> ImportJob:
    qs = ImportJob.objects.all()
    if not request.membership.is_admin:
        qs = qs.filter(created_by_id=request.user.pk)
    job = qs.filter(pk=pk).first()
    if job is None:
        raise Http404("No such import.")
    return job


def import_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or "opportunity"
    if kind not in KINDS:
        kind = "opportunity"
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a CSV or Excel file."
        elif upload.size > MAX_BYTES:
            error = f"The file is larger than {size_label(MAX_BYTES)}: split it."
        else:
            try:
                job = import_upload(
                    actor=request.user,
                    membership=request.membership,
                    kind=kind,
                    filename=upload.name or "file",
                    data=upload.read(),
                )
            except ValidationError as exc:
                error = error_text(exc)
            else:
                return redirect("import_detail", pk=job.pk)
    jobs = ImportJob.objects.all()
    if not request.membership.is_admin:
        jobs = jobs.filter(created_by_id=request.user.pk)
    return render(
        request,
        "integrations/imports/list.html",
        {
            "kinds": list(KINDS.items()),
            "kind": kind,
            "error": error,
            "jobs": list(jobs[:20]),
            "max_size": size_label(MAX_BYTES),
            "max_rows": MAX_ROWS,
        },
        status=400 if error else 200,
    )


def _column_rows(job: ImportJob) -> list[dict[str, Any]]:
    try:
        samples = sample_rows(job)
    except ValidationError:
        samples = []
    rows = []
    for column in columns_of(job.kind):
        header = job.columns.get(column.key, "")
        index = job.headers.index(header) if header in job.headers else None
        rows.append(
            {
                "column": column,
                "header": header,
                "samples": [
                    str(r[index])[:60]
                    for r in samples
                    if index is not None and r[index] not in (None, "")
                ],
            }
        )
    return rows


def import_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        columns = {c.key: request.POST.get(f"col-{c.key}", "") for c in columns_of(job.kind)}
        options = {
            "date_format": request.POST.get("date_format", ""),
            "decimal_comma": request.POST.get("decimal_comma") == "on",
        }
        try:
            import_columns_save(job=job, columns=columns, options=options)
            import_check_start(job=job)
        except ValidationError as exc:
            errors = exc.messages
            job.columns = {k: v for k, v in columns.items() if v}
        else:
            import_check_queue(str(job.pk))
            return redirect("import_detail", pk=job.pk)
    return render(
        request,
        "integrations/imports/detail.html",
        {
            "job": job,
            "kind_label": KINDS[job.kind],
            "rows": _column_rows(job),
            "errors": errors,
            "date_formats": list(DATE_FORMATS.items()),
            "modes": ImportMode.choices,
            "progress": import_progress(job),
            "editable": job.state in (ImportState.UPLOADED, ImportState.CHECKED),
        },
        status=400 if errors else 200,
    )


@require_POST
def import_run(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    try:
        import_run_start(job=job, mode=request.POST.get("mode", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        import_run_queue(str(job.pk))
    return redirect("import_detail", pk=job.pk)


def import_progress_view(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    response = render(
        request,
        "integrations/imports/_progress.html",
        {"job": job, "progress": import_progress(job)},
    )
    if job.state not in (ImportState.CHECKING, ImportState.RUNNING) and request.headers.get(
        "HX-Request"
    ):
        response["HX-Refresh"] = "true"
    return response


def import_failed_rows(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    headers, rows = failed_rows_table(job)

    def lines():  # type: ignore[no-untyped-def]
        writer = csv.writer(Echo())
        yield "\ufeff"
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([escaped("" if v is None else str(v)) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="failed-rows-{job.pk}.csv"'
    return response


def export_view(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export.")
    stamp = timezone.localdate().isoformat()
    name = f"{request.tenant.slug}-{KINDS[kind].lower()}-{stamp}.{fmt}"
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(
            export_csv(kind, request.tenant), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(export_xlsx(kind, request.tenant), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

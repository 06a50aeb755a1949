"""Importing a file: upload (read and refused in a sentence if it isn't a usable
spreadsheet), match its columns, check it (every row through the services inside a
transaction that is rolled back: the check writes nothing), then import it in the
background — all or nothing, or skipping the rows that fail — with live progress and a
sentence per failed row.

A worker killed mid-import loses nothing: "all or nothing" had committed nothing and starts
over; "skip" commits batch by batch with the job's position, and goes on after the last."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from concurrency.locks import session_lock
from identity.models import User
from integrations.files.columns import KINDS, columns_of, columns_suggest
from integrations.files.reading import Table, table_read
from integrations.files.rows import RowRefused, RowWriter
from integrations.models import ImportJob, ImportMode, ImportState
from tenants.models import Company, Membership

BATCH = 500
# row errors kept on the job (the failed-rows download has them all for the rows it lists)
MAX_ERRORS = 1000
DATE_FORMATS = {
    "": "Year first (2026-12-31)",
    "%d/%m/%Y": "Day first (31/12/2026)",
    "%m/%d/%Y": "Month first (12/31/2026)",
    "%d.%m.%Y": "Day first with dots (31.12.2026)",
}


def _can_import(membership: Membership | None, kind: str) -> None:
    if membership is None:
        raise ValidationError("Only the company's members import files.")
    if kind not in KINDS:
        raise ValidationError(
            "Choose what the file holds: accounts, opportunities, solutions or partners."
        )


def import_upload(
    *, actor: User, membership: Membership | None, kind: str, filename: str, data: bytes
) -> ImportJob:
    _can_import(membership, kind)
    table = table_read(data, filename)
    job = ImportJob(
        kind=kind,
        original_name=(filename or "file")[:200],
        headers=table.headers,
        rows_total=len(table.rows),
        columns=columns_suggest(kind, table.headers),
        created_by_id=actor.pk,
    )
    job.file.save("upload", ContentFile(data), save=False)
    job.save()
    return job


def _table(job: ImportJob, *, limit: int | None = None) -> Table:
    with job.file.open("rb") as handle:
        return table_read(handle.read(), job.original_name, limit=limit)


def sample_rows(job: ImportJob, n: int = 3) -> list[list[Any]]:
    """The first rows only: the column page is viewed often and needs no more."""
    return _table(job, limit=n).rows[:n]


def import_columns_save(
    *, job: ImportJob, columns: dict[str, str], options: dict[str, Any]
) -> ImportJob:
    """Which column fills which field; a field left without a column keeps its value (on an
    update) or stays empty (on a create)."""
    if job.state not in (ImportState.UPLOADED, ImportState.CHECKED):
        raise ValidationError(
            "This import has started: upload the file again to change its columns."
        )
    known = {c.key: c for c in columns_of(job.kind)}
    chosen = {k: v for k, v in columns.items() if k in known and v}
    errors = [
        f"“{h[:60]}” is not one of the file's columns."
        for h in chosen.values()
        if h not in job.headers
    ]
    used: dict[str, str] = {}
    for key, header in chosen.items():
        if header in used:
            errors.append(
                f"The column “{header[:60]}” is matched to both {known[used[header]].label} and {known[key].label}."
            )
        used[header] = key
    missing = [c.label for c in known.values() if c.required and c.key not in chosen]
    if missing:
        errors.append("Match a column to " + ", ".join(missing) + ": every row needs it.")
    if options.get("date_format", "") not in DATE_FORMATS:
        errors.append("Choose one of the date formats offered.")
    if errors:
        raise ValidationError(errors)
    job.columns = chosen
    job.options = {
        "date_format": options.get("date_format", ""),
        "decimal_comma": bool(options.get("decimal_comma")),
    }
    job.state = ImportState.UPLOADED
    job.check_summary = {}
    job.save(update_fields=["columns", "options", "state", "check_summary"])
    return job


def progress_key(job_id: Any) -> str:
    return f"integrations:import:{job_id}:progress"


def import_progress(job: ImportJob) -> int:
    """Rows done: the cache while a transaction holds them, else the job's own count."""
    live = cache.get(progress_key(job.pk))
    return max(int(live or 0), job.processed)


def _writer(job: ImportJob, company: Company) -> RowWriter:
    actor = User.objects.get(pk=job.created_by_id)
    membership = (
        Membership.objects.select_related("company").filter(company=company, user=actor).first()
    )
    if membership is None:
        raise ValidationError("The person who uploaded the file is no longer a member here.")
    return RowWriter(
        kind=job.kind, company=company, actor=actor, membership=membership,
        columns=job.columns, headers=job.headers, options=job.options,
    )  # fmt: skip


def _rows(
    writer: RowWriter, rows: list[list[Any]], first: int, counts: dict[str, Any], job_id: Any
) -> None:
    """Each row in its own savepoint: a refused row takes back only what it wrote."""
    writer.preload(rows)
    for offset, cells in enumerate(rows):
        number = first + offset + 2  # the header is row 1, as the spreadsheet shows it
        try:
            with transaction.atomic():
                counts[writer.write(cells)] += 1
        except RowRefused as exc:
            counts["failed"] += 1
            if len(counts["errors"]) < MAX_ERRORS:
                counts["errors"].append({"row": number, "errors": exc.errors})
        counts["processed"] += 1
        if counts["processed"] % 50 == 0:
            cache.set(progress_key(job_id), counts["processed"], 3600)


def _counts() -> dict[str, Any]:
    return {"processed": 0, "created": 0, "updated": 0, "unchanged": 0, "failed": 0, "errors": []}


def import_check_execute(*, job_id: Any, company: Company) -> ImportJob:
    """The dry run: every row through the services, then everything rolled back."""
    job = ImportJob.objects.get(pk=job_id)
    with session_lock(f"import:{job.pk}") as mine:
        if not mine or job.state != ImportState.CHECKING:
            return job
        counts = _counts()
        try:
            writer = _writer(job, company)
            table = _table(job)
            with transaction.atomic():
                _rows(writer, table.rows, 0, counts, job.pk)
                transaction.set_rollback(True)
        except ValidationError as exc:
            job.state, job.error = ImportState.UPLOADED, " ".join(exc.messages)
            job.save(update_fields=["state", "error"])
            return job
        cache.delete(progress_key(job.pk))
        job.check_summary = {k: counts[k] for k in ("created", "updated", "unchanged", "failed")}
        job.row_errors = counts["errors"]
        job.state = ImportState.CHECKED
        job.checked_at = timezone.now()
        job.error = ""
        job.save(update_fields=["check_summary", "row_errors", "state", "checked_at", "error"])
    return job


def import_check_start(*, job: ImportJob) -> ImportJob:
    if not job.columns:
        raise ValidationError("Match the file's columns first.")
    if job.state not in (ImportState.UPLOADED, ImportState.CHECKED):
        raise ValidationError("This import has started already.")
    job.state = ImportState.CHECKING
    job.error = ""
    job.save(update_fields=["state", "error"])
    return job


def import_run_start(*, job: ImportJob, mode: str) -> ImportJob:
    if job.state != ImportState.CHECKED:
        raise ValidationError("Check the file first: the check shows what the import will do.")
    if mode not in ImportMode.values:
        raise ValidationError("Choose what happens to rows that fail.")
    job.mode = mode
    job.state = ImportState.RUNNING
    job.started_at = timezone.now()
    job.processed = job.created = job.updated = job.unchanged = job.failed = 0
    job.row_errors = []
    job.save()
    return job


def import_run_execute(*, job_id: Any, company: Company) -> ImportJob:
    job = ImportJob.objects.get(pk=job_id)
    with session_lock(f"import:{job.pk}") as mine:
        if not mine or job.state != ImportState.RUNNING:
            return job  # a second delivery, or finished already
        try:
            writer = _writer(job, company)
            table = _table(job)
        except ValidationError as exc:
            return _finish(job, ImportState.FAILED, " ".join(exc.messages))
        if job.mode == ImportMode.ALL_OR_NOTHING:
            counts = _counts()
            with transaction.atomic():
                _rows(writer, table.rows, 0, counts, job.pk)
                if counts["failed"]:
                    transaction.set_rollback(True)
            job.row_errors = counts["errors"]
            job.processed, job.failed = counts["processed"], counts["failed"]
            if counts["failed"]:
                return _finish(job, ImportState.REFUSED, "")
            job.created, job.updated, job.unchanged = (
                counts["created"],
                counts["updated"],
                counts["unchanged"],
            )
            return _finish(job, ImportState.SUCCEEDED, "")
        # skip the bad rows: batch by batch, each batch committed with the job's position
        for first in range(job.processed, len(table.rows), BATCH):
            counts = _counts()
            counts["processed"] = first
            with transaction.atomic():
                _rows(writer, table.rows[first : first + BATCH], first, counts, job.pk)
                job.refresh_from_db()
                job.processed = counts["processed"]
                for key in ("created", "updated", "unchanged", "failed"):
                    setattr(job, key, getattr(job, key) + counts[key])
                job.row_errors = (job.row_errors + counts["errors"])[:MAX_ERRORS]
                job.save(
                    update_fields=[
                        "processed",
                        "created",
                        "updated",
                        "unchanged",
                        "failed",
                        "row_errors",
                    ]
                )
        return _finish(job, ImportState.PARTIAL if job.failed else ImportState.SUCCEEDED, "")


def _finish(job: ImportJob, state: str, error: str) -> ImportJob:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    job.save()
    cache.delete(progress_key(job.pk))
    actor = User.objects.filter(pk=job.created_by_id).first()
    company_audit_entry_record(
        actor=actor,
        action=AuditAction.RECORDS_IMPORTED,
        target=job,
        after={
            "file": job.original_name,
            "kind": job.kind,
            "state": job.state,
            "created": job.created,
            "updated": job.updated,
            "failed": job.failed,
        },
    )
    return job


def failed_rows_table(job: ImportJob) -> tuple[list[str], list[list[Any]]]:
    """The rows that failed, as the file had them, with the reasons in a first column: fixed
    and uploaded again, they import."""
    table = _table(job)
    reasons = {e["row"]: "; ".join(e["errors"]) for e in job.row_errors}
    rows = [
        [reasons[n], *table.rows[n - 2]] for n in sorted(reasons) if 0 <= n - 2 < len(table.rows)
    ]
    return ["Why it failed", *table.headers], rows

"""A CSV or Excel file as a header row and rows of cells. Everything a hostile or broken file
can be is a sentence here: too large, not a spreadsheet, a zip bomb, too many rows, NUL bytes or
control characters, no header row, duplicate headers.

Rows are streamed (the csv module; openpyxl's read-only mode, which parses through defusedxml)
and reading stops at the row limit, so a file over it costs no more than the limit itself. The
delimiter is read off the header line rather than guessed by csv.Sniffer, whose regular
expressions backtrack for seconds on a few kilobytes of quotes and commas."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError

from edge.text import HostileInput, text_check

# What the edge lets a request carry, less room for the form around the file.
MAX_BYTES = settings.EDGE_MAX_BODY_BYTES - 64 * 1024
# an .xlsx is a zip: what it unpacks to, at most (a few MB of cells can be a GB of XML)
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_HEADER = 200
DELIMITERS = (",", ";", "\t", "|")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    format: str


def size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ValidationError(
            "The file holds NUL bytes, which no CSV has: save it again as CSV (UTF-8) or as .xlsx."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError("We couldn't read the file's text: save it as CSV (UTF-8).")


def delimiter_of(header_line: str) -> str:
    """Comma, semicolon (Excel in much of Europe), tab or pipe: whichever the header line
    holds most of (a one-column file has none: a comma)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> Iterator[list[Any]]:
    header_line = text.split("\n", 1)[0]
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(header_line))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            "This is not an Excel (.xlsx) file: save it again as .xlsx or CSV."
        ) from exc
    if unpacked > MAX_UNPACKED:
        raise ValidationError(
            f"The Excel file unpacks to more than we read ({size_label(MAX_UNPACKED)}): split it."
        )
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own account of its size, when it gives one: refused before parsing.
        declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
        if declared > MAX_ROWS + 1 and sheet.max_column and sheet.max_column > 0:
            _too_many_rows(declared - 1)
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _too_many_rows(count: int | None) -> None:
    counted = f"{count:,} rows" if count else f"more than {MAX_ROWS:,} rows"
    raise ValidationError(
        f"The file has {counted}; we import at most {MAX_ROWS:,} at once: split it."
    )


def _headers(raw: list[Any]) -> list[str]:
    headers = [str(h if h is not None else "").strip() for h in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ValidationError("The file has no header row: its first row must name the columns.")
    if len(headers) > MAX_COLUMNS:
        raise ValidationError(
            f"The file has {len(headers)} columns; we read at most {MAX_COLUMNS}."
        )
    if any(len(h) > MAX_HEADER for h in headers):
        raise ValidationError(f"A column's name is longer than {MAX_HEADER} characters.")
    seen: set[str] = set()
    for index, header in enumerate(headers):
        _cell_check(header, f"The name of column {index + 1}")
        if not header:
            headers[index] = header = f"Column {index + 1}"
        if header.lower() in seen:
            raise ValidationError(f"Two columns are called “{header}”: give each its own name.")
        seen.add(header.lower())
    return headers


def _cell_check(value: Any, where: str) -> None:
    """The same characters and lengths the forms and the API refuse (edge.text), in a
    sentence that names the row and column to fix."""
    if isinstance(value, str):
        try:
            text_check(value, where=where)
        except HostileInput as exc:
            raise ValidationError(f"{exc.message} Fix the file and upload it again.") from exc


def _collect(
    raw_rows: Iterable[list[Any]], *, limit: int | None
) -> tuple[list[str], list[list[Any]]]:
    iterator = iter(raw_rows)
    headers = _headers(next(iterator, []))
    width = len(headers)
    rows: list[list[Any]] = []
    line = 1
    for raw in iterator:
        line += 1
        cells = list(raw)[:width]
        cells += [None] * (width - len(cells))
        if all(c in (None, "") for c in cells):
            continue  # blank lines between rows
        if len(rows) == MAX_ROWS:
            _too_many_rows(None)
        for index, cell in enumerate(cells):
            _cell_check(cell, f"Row {line}, column “{headers[index][:60]}”,")
        rows.append(cells)
        if limit is not None and len(rows) >= limit:
            break
    return headers, rows


def table_read(data: bytes, filename: str, *, limit: int | None = None) -> Table:
    """The file's header and rows; `limit` reads only the first rows (a preview)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {size_label(MAX_BYTES)}: split it.")
    if not data.strip():
        raise ValidationError("The file is empty.")
    name = filename.lower()
    is_zip = zipfile.is_zipfile(io.BytesIO(data))
    try:
        if name.endswith(".xlsx") or is_zip:
            headers, rows = _collect(_xlsx_rows(data), limit=limit)
            fmt = "xlsx"
        elif name.endswith((".xls", ".numbers", ".ods")):
            raise ValidationError("We read CSV and .xlsx files: save it as one of those.")
        else:
            headers, rows = _collect(_csv_rows(_decode(data)), limit=limit)
            fmt = "csv"
    except ValidationError:
        raise
    except Exception as exc:  # csv/openpyxl/zipfile raise many kinds for a broken file
        raise ValidationError(
            "We couldn't read this file as a spreadsheet: save it again as CSV (UTF-8) or .xlsx."
        ) from exc
    if not rows:
        raise ValidationError("The file has a header row but no rows under it.")
    return Table(headers, rows, fmt)

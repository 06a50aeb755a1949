"""A CSV or Excel file as a header row and rows of cells (tablib; openpyxl underneath reads
Excel through defusedxml). Everything a hostile or broken file can be is a sentence here:
too large, not a spreadsheet, a zip bomb, NUL bytes, no header row, duplicate headers."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

import tablib
from django.core.exceptions import ValidationError

MAX_BYTES = 20 * 1024 * 1024
# an .xlsx is a zip: what it unpacks to, at most (a few MB of cells can be a GB of XML)
MAX_UNPACKED = 250 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_HEADER = 200
MAX_CELL = 100_000


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    format: str


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


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in much of Europe), tab or pipe: whichever the header uses."""
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _xlsx_check(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            "This is not an Excel (.xlsx) file: save it again as .xlsx or CSV."
        ) from exc
    if unpacked > MAX_UNPACKED:
        raise ValidationError("The Excel file unpacks to more than we read (250 MB): split it.")


def table_read(data: bytes, filename: str) -> Table:
    if len(data) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it.")
    if not data.strip():
        raise ValidationError("The file is empty.")
    name = filename.lower()
    dataset = tablib.Dataset()
    try:
        if name.endswith(".xlsx") or data[:2] == b"PK":
            _xlsx_check(data)
            dataset.load(io.BytesIO(data), format="xlsx", headers=True)
            fmt = "xlsx"
        elif name.endswith((".xls", ".numbers", ".ods")):
            raise ValidationError("We read CSV and .xlsx files: save it as one of those.")
        else:
            text = _decode(data)
            dataset.load(text, format="csv", headers=True, delimiter=_delimiter(text))
            fmt = "csv"
    except ValidationError:
        raise
    except Exception as exc:  # tablib/openpyxl/csv raise many kinds for a broken file
        raise ValidationError(
            "We couldn't read this file as a spreadsheet: save it again as CSV (UTF-8) or .xlsx."
        ) from exc
    headers = [str(h if h is not None else "").strip() for h in (dataset.headers or [])]
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
        if not header:
            headers[index] = header = f"Column {index + 1}"
        if header.lower() in seen:
            raise ValidationError(f"Two columns are called “{header}”: give each its own name.")
        seen.add(header.lower())
    if dataset.height > MAX_ROWS:
        raise ValidationError(
            f"The file has {dataset.height:,} rows; we import at most {MAX_ROWS:,} at once: split it."
        )
    rows = []
    for raw in dataset:
        cells = list(raw)[: len(headers)]
        cells += [None] * (len(headers) - len(cells))
        if all(c in (None, "") for c in cells):
            continue  # blank lines between rows
        for cell in cells:
            if isinstance(cell, str) and ("\x00" in cell or len(cell) > MAX_CELL):
                raise ValidationError(
                    "A cell holds NUL bytes or more than 100,000 characters: fix the file and upload it again."
                )
        rows.append(cells)
    if not rows:
        raise ValidationError("The file has a header row but no rows under it.")
    return Table(headers, rows, fmt)

"""Hostile files at /imports/ get a quick, clear 400 and change nothing (found by the issue #12
security probe: a backtracking delimiter sniffer, whole files parsed before the row limit,
control characters stored, a CSV taken for an .xlsx by its first two bytes)."""

from __future__ import annotations

import io
import time

import openpyxl
import pytest
from django_tenants.utils import schema_context

from accounts.models import Account
from integrations.files.reading import MAX_ROWS
from integrations.models import ImportJob
from tests.builders import client_on


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, monkeypatch):  # type: ignore[no-untyped-def]
    """The check and the import are queued on commit (the test's transaction never commits):
    run them then, as the worker would (same as tests/integrations/test_imports.py)."""
    from django.test import Client

    original = Client.post

    def post(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return original(self, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


def _upload(client, kind: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/imports/", {"kind": kind, "file": upload})


def _timed_upload(client, kind: str, name: str, data: bytes):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    response = _upload(client, kind, name, data)
    return response, time.monotonic() - started


def _jobs(world) -> int:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return ImportJob.objects.count()


def test_a_csv_that_makes_the_delimiter_sniffer_backtrack_is_refused_quickly(acme):
    """integrations/files/reading.py:48 runs csv.Sniffer().sniff() on the first 64 KB of any
    upload. Its quote/delimiter regexes backtrack quadratically on lines of `,"`: ~30 KB takes
    ~10 s of CPU, the full 64 KB window ~45 s, in the web request (and again on every view of
    the import's page, which re-reads the file: services.py:68-74 via views.py:90). Any member
    can pin web threads with a 64 KB file."""
    member = client_on(acme.host, acme.member)
    data = b"Name\n" + b"\n".join([b',"'] * 10_000)  # ~30 KB
    response, elapsed = _timed_upload(member, "account", "deals.csv", data)
    assert elapsed < 3.0, (
        f"a 30 KB upload took {elapsed:.1f} s of the request (sniffer backtracking)"
    )


def test_a_file_over_the_row_limit_is_refused_without_reading_every_row(acme):
    """reading.py:81 loads the whole file into a tablib Dataset and only then compares
    dataset.height with MAX_ROWS (reading.py:107). A 5.5 MB CSV of 2.9 M one-character rows (under
    the 6 MB edge limit) costs ~10 s and ~700 MB of RAM before the refusal; an .xlsx may unpack to
    250 MB (MAX_UNPACKED) of rows, minutes of openpyxl parsing per request."""
    member = client_on(acme.host, acme.member)
    data = b"Name\n" + b"a\n" * 2_900_000
    before = _jobs(acme)
    response, elapsed = _timed_upload(member, "account", "rows.csv", data)
    assert response.status_code == 400  # this part holds: the refusal itself is right
    assert _jobs(acme) == before
    assert elapsed < 3.0, f"refusing a file over the row limit took {elapsed:.1f} s"


def test_control_characters_in_a_cell_are_refused_at_upload(acme):
    """Invariant 10: NUL *and control characters* are refused with a 400. The edge refuses
    them in form fields and JSON, but file cells only get a NUL check (reading.py:33 and
    :118), so U+000B / U+001B reach the services and the database."""
    member = client_on(acme.host, acme.member)
    response = _upload(member, "account", "accounts.csv", b"Name\nAcme\x0bCorp\nEsc\x1b[31mape\n")
    assert response.status_code == 400, "a cell with U+000B / U+001B was accepted"


def test_a_stored_control_character_does_not_break_the_xlsx_export(acme):
    """A CRM sync or an older import can still bring one in: the .xlsx export leaves it out
    instead of failing with openpyxl's IllegalCharacterError (a 500 for every member)."""
    with schema_context(acme.company.schema_name):
        Account.objects.create(name="Acme\x0bCorp", owner_id=acme.member.pk)
    response = client_on(acme.host, acme.member).get("/exports/account.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [c for row in sheet.iter_rows(min_row=2, values_only=True) for c in row]
    assert "AcmeCorp" in names


def test_a_refused_cell_names_its_row_and_column(acme):
    member = client_on(acme.host, acme.member)
    response = _upload(member, "account", "accounts.csv", b"Name\nFine\nAcme\x0bCorp\n")
    assert response.status_code == 400
    assert "Row 3, column “Name”" in response.content.decode()
    assert _jobs(acme) == 0


def test_an_xlsx_over_the_row_limit_is_refused_once_the_limit_is_read(acme):
    """A sheet without a size of its own (openpyxl's write-only files give none) is read up
    to the limit and no further: its cost is bounded by a legitimate file's at the limit
    (100,000 rows, ~6 s here), not by the file."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Name"])
    for n in range(MAX_ROWS + 50):
        sheet.append([f"a{n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    member = client_on(acme.host, acme.member)
    response, elapsed = _timed_upload(member, "account", "rows.xlsx", buffer.getvalue())
    assert response.status_code == 400
    assert "at most 100,000" in response.content.decode()
    assert _jobs(acme) == 0
    assert elapsed < 12.0, f"refusing an .xlsx over the row limit took {elapsed:.1f} s"


def test_a_csv_whose_first_header_starts_with_pk_is_read_as_csv(acme):
    """reading.py:73 treats any upload whose first two bytes are b"PK" as an .xlsx, whatever
    its name: a plain "accounts.csv" whose first column is "PK" (or "PKey", "PK_ID") is refused
    with "This is not an Excel (.xlsx) file"."""
    member = client_on(acme.host, acme.member)
    response = _upload(member, "account", "accounts.csv", b"PK,Name\n1,Acme\n")
    assert response.status_code == 302, response.content.decode()[-600:]

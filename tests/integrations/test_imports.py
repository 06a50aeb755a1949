"""Importing CSV and Excel files through the pages (Django's client on the company's host;
Celery eager, so the check and the import run as the worker would), and exporting lists."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django_tenants.utils import schema_context

from accounts.models import Account
from integrations.models import ImportJob, ImportState
from pipeline.models import Opportunity
from tests.builders import client_on


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks, monkeypatch):  # type: ignore[no-untyped-def]
    """The check and the import are queued when the request's transaction commits (the test's
    transaction never does): run them then, as the worker would."""
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


def _job(world) -> ImportJob:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return ImportJob.objects.latest("created_at")


DEALS = (
    "Deal name,Account,Website,Amount,Close date,Stage,Owner\n"
    'Contoso renewal,Contoso,https://www.contoso.example,"12,500.00",2027-03-31,Qualify,member@acme.test\n'
    "Fabrikam pilot,Fabrikam,fabrikam.example,8000,2027-04-30,propose,\n"
    "Broken one,Initech,initech.example,lots,2027-13-45,Nowhere,nobody@else.test\n"
)


def _columns_post(job: ImportJob, **extra: str) -> dict[str, str]:
    return {**{f"col-{k}": v for k, v in job.columns.items()}, **extra}


def test_an_opportunity_file_is_matched_checked_and_imported_skipping_the_bad_row(acme):
    client = client_on(acme.host, acme.member)
    response = _upload(client, "opportunity", "deals.csv", DEALS.encode())
    assert response.status_code == 302
    job = _job(acme)
    # the header names were recognised
    assert job.columns == {
        "name": "Deal name",
        "customer_name": "Account",
        "customer_domain": "Website",
        "amount": "Amount",
        "close_date": "Close date",
        "stage": "Stage",
        "owner": "Owner",
    }
    page = client.get(f"/imports/{job.pk}/")
    assert b"Contoso renewal" in page.content  # samples under each field

    # the check writes nothing and reports each bad cell in a sentence
    assert client.post(f"/imports/{job.pk}/", _columns_post(job)).status_code == 302
    job = _job(acme)
    assert job.state == ImportState.CHECKED
    assert job.check_summary == {"created": 2, "updated": 0, "unchanged": 0, "failed": 1}
    (bad,) = job.row_errors
    assert bad["row"] == 4
    text = " ".join(bad["errors"])
    assert "Amount: “lots” is not a number" in text
    assert "Close date:" in text and "Stage: “Nowhere” is not one of your stage values" in text
    assert "nobody@else.test" in text
    with schema_context(acme.company.schema_name):
        assert not Opportunity.objects.exists() and not Account.objects.exists()

    # all or nothing: the bad row stops everything
    client.post(f"/imports/{job.pk}/run/", {"mode": "all"})
    job = _job(acme)
    assert job.state == ImportState.REFUSED and job.failed == 1
    with schema_context(acme.company.schema_name):
        assert not Opportunity.objects.exists() and not Account.objects.exists()

    # the same file again, skipping the bad row
    _upload(client, "opportunity", "deals.csv", DEALS.encode())
    job = _job(acme)
    client.post(f"/imports/{job.pk}/", _columns_post(job))
    client.post(f"/imports/{job.pk}/run/", {"mode": "skip"})
    job = _job(acme)
    assert (job.state, job.created, job.failed) == (ImportState.PARTIAL, 2, 1)
    with schema_context(acme.company.schema_name):
        deals = {o.name: o for o in Opportunity.objects.select_related("account")}
        assert set(deals) == {"Contoso renewal", "Fabrikam pilot"}
        contoso = deals["Contoso renewal"]
        assert contoso.amount == Decimal("12500.00") and contoso.stage == "qualify"
        assert contoso.account.domains == ["contoso.example"]
        assert contoso.owner_id == acme.member.pk
        assert deals["Fabrikam pilot"].stage == "propose"
    failed = client.get(f"/imports/{job.pk}/failed-rows.csv")
    body = b"".join(failed.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Why it failed,Deal name")
    assert "Initech" in body and "Contoso" not in body


def test_an_account_file_updates_by_external_id_and_reports_unchanged_rows(acme):
    client = client_on(acme.host, acme.admin)
    first = (
        "Id,Name,Website,Industry\nA-1,Contoso,contoso.example,\nA-2,Fabrikam,fabrikam.example,\n"
    )
    _upload(client, "account", "accounts.csv", first.encode())
    job = _job(acme)
    assert job.columns["external_id"] == "Id"
    client.post(f"/imports/{job.pk}/", _columns_post(job))
    client.post(f"/imports/{job.pk}/run/", {"mode": "all"})
    assert _job(acme).created == 2
    second = "Id,Name,Website\nA-1,Contoso Ltd,contoso.example\nA-2,Fabrikam,fabrikam.example\n"
    _upload(client, "account", "accounts-2.csv", second.encode())
    job = _job(acme)
    client.post(f"/imports/{job.pk}/", _columns_post(job))
    assert _job(acme).check_summary == {"created": 0, "updated": 1, "unchanged": 1, "failed": 0}
    client.post(f"/imports/{job.pk}/run/", {"mode": "all"})
    with schema_context(acme.company.schema_name):
        assert sorted(Account.objects.values_list("external_id", "name")) == [
            ("A-1", "Contoso Ltd"),
            ("A-2", "Fabrikam"),
        ]


def test_an_excel_file_imports_and_an_export_escapes_formulas(acme):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Web site", "Description"])
    sheet.append(["Contoso", "contoso.example", '=HYPERLINK("http://evil.example")'])
    sheet.append(["Fabrikam", "fabrikam.example", "-Negative start"])
    sheet["C2"].data_type = "s"  # text that looks like a formula (as a CRM's export holds it)
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_on(acme.host, acme.member)
    _upload(client, "account", "accounts.xlsx", buffer.getvalue())
    job = _job(acme)
    client.post(f"/imports/{job.pk}/", _columns_post(job))
    client.post(f"/imports/{job.pk}/run/", {"mode": "all"})
    assert _job(acme).created == 2
    export = client.get("/exports/account.csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-Negative start" in text
    xlsx = client.get("/exports/account.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.csv", b"", "The file is empty."),
        ("a.csv", b"Name\x00,x\n1,2\n", "NUL bytes"),
        ("a.csv", b"Name,Name\nx,y\n", "Two columns are called"),
        ("a.csv", b"Name\n", "no rows under it"),
        ("a.xlsx", b"PK\x03\x04 not really a zip", "not an Excel"),
        ("a.xls", b"\xd0\xcf\x11\xe0 old excel", "We read CSV and .xlsx"),
    ],
)
def test_a_broken_file_is_refused_in_a_sentence_and_nothing_is_kept(acme, name, data, expected):
    client = client_on(acme.host, acme.member)
    response = _upload(client, "account", name, data)
    assert response.status_code == 400
    assert expected in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert not ImportJob.objects.exists()


def test_another_companys_import_and_a_colleagues_import_are_404(acme, globex):
    client = client_on(acme.host, acme.member)
    _upload(client, "account", "a.csv", b"Name\nContoso\n")
    job = _job(acme)
    for path in (
        f"/imports/{job.pk}/",
        f"/imports/{job.pk}/progress/",
        f"/imports/{job.pk}/failed-rows.csv",
    ):
        assert client_on(globex.host, globex.admin).get(path).status_code == 404
        assert client_on(acme.host, acme.owner).get(path).status_code == 200  # admins see all
    other_member = acme.admin  # admins see everyone's; a member only their own
    assert client_on(acme.host, other_member).get(f"/imports/{job.pk}/").status_code == 200
    assert (
        client_on(globex.host, globex.member)
        .post(f"/imports/{job.pk}/run/", {"mode": "all"})
        .status_code
        == 404
    )
    with schema_context(acme.company.schema_name):
        assert ImportJob.objects.get().state == ImportState.UPLOADED


def test_the_import_page_reads_a_bounded_number_of_queries(acme, django_assert_max_num_queries):
    client = client_on(acme.host, acme.member)
    rows = "Name,Web site\n" + "".join(f"Company {i},company{i}.example\n" for i in range(300))
    _upload(client, "account", "many.csv", rows.encode())
    job = _job(acme)
    client.post(f"/imports/{job.pk}/", _columns_post(job))
    with django_assert_max_num_queries(14):
        assert client.get(f"/imports/{job.pk}/").status_code == 200
    client.post(f"/imports/{job.pk}/run/", {"mode": "all"})
    assert _job(acme).created == 300

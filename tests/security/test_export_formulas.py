"""Probe 12: exports promise "formula-looking text cells escaped in both formats"
(docs/architecture.md, Files; integrations/files/exports.py docstring). In the .xlsx export only
the plain-text fallback of _Lookups.cell() is escaped (exports.py:69); list values
(exports.py:63-64, "; ".join), vocabulary and choice labels (:57-60) and e-mail addresses
(:61-62) are written raw, and openpyxl stores any string starting with "=" as a formula."""

from __future__ import annotations

import io

import openpyxl
from django_tenants.utils import schema_context

from solutions.services import solution_create
from tests.builders import client_on

PAYLOAD = '=HYPERLINK("https://evil.example/x","Open")'


def test_a_list_value_is_not_written_as_a_formula_in_the_xlsx_export(acme):
    with schema_context(acme.company.schema_name):
        solution_create(
            actor=acme.member,
            company=acme.company,
            data={"name": "Widget", "categories": [PAYLOAD]},
        )
    response = client_on(acme.host, acme.member).get("/exports/solution.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    formulas = [c.value for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == [], f"live formulas in the export: {formulas}"


def test_the_csv_export_of_the_same_value_is_escaped(acme):
    """Control: the CSV path is safe because defusedcsv escapes every field itself."""
    with schema_context(acme.company.schema_name):
        solution_create(
            actor=acme.member,
            company=acme.company,
            data={"name": "Widget", "categories": [PAYLOAD]},
        )
    body = b"".join(
        client_on(acme.host, acme.member).get("/exports/solution.csv").streaming_content
    )
    assert b"'=HYPERLINK" in body

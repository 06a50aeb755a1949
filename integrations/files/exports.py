"""The company's own records as a CSV or Excel file, in the import's columns (an export,
edited and imported again, updates the same records by their external id or name). Values
read as people wrote them: term labels, colleagues' e-mail addresses, lists with ";".

Only this company's own records (its schema) are read. A text cell that a spreadsheet would
run as a formula (=, +, -, @, tab, carriage return first) starts with an apostrophe, in both
formats (defusedcsv's rule): a partner's or a CRM's text never becomes a formula here."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import tablib
from defusedcsv import csv
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Account
from business.models import Term
from integrations.files.columns import Column, columns_of
from partners.relationships.models import PartnerRelationship
from pipeline.models import Opportunity
from sharing.network.selectors import active_partners
from solutions.models import Solution
from tenants.models import Company, Membership

FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?[0-9,.]+$")


def escaped(value: Any) -> Any:
    """defusedcsv's rule, for Excel files too: a negative number stays as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


class _Lookups:
    def __init__(self, company: Company, columns: list[Column]) -> None:
        vocabularies = {c.vocabulary for c in columns if c.vocabulary}
        self.labels: dict[tuple[str, str], str] = {
            (vocabulary, key): label
            for vocabulary, key, label in Term.objects.filter(
                vocabulary__key__in=vocabularies
            ).values_list("vocabulary__key", "key", "label")
        }
        self.emails = dict(
            Membership.objects.filter(company=company).values_list("user_id", "user__email")
        )

    def cell(self, column: Column, value: Any) -> Any:
        """A value as the file shows it; any text, labels and lists included, escaped."""
        return escaped(self._shown(column, value))

    def _shown(self, column: Column, value: Any) -> Any:
        if value in (None, ""):
            return ""
        if column.type == "choice" and column.vocabulary:
            return self.labels.get((column.vocabulary, str(value)), str(value))
        if column.type == "choice":
            return dict(column.choices).get(str(value), str(value))
        if column.type == "person":
            return self.emails.get(value, "")
        if isinstance(value, (list, tuple)):
            return "; ".join(str(v) for v in value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return value
        return str(value)


def _value(obj: Any, column: Column, partners: dict[int, Company]) -> Any:
    if column.key.startswith("custom."):
        return (obj.custom or {}).get(column.key.removeprefix("custom."))
    if column.key in ("owner", "manager"):
        return getattr(obj, f"{column.key}_id", None)
    if column.key == "partner":
        partner = partners.get(obj.partner_id)
        return partner.name if partner else ""
    return getattr(obj, column.key, None)


def _records(kind: str, company: Company) -> tuple[Iterator[Any], dict[int, Company]]:
    if kind == "account":
        return Account.objects.filter(archived_at=None).order_by("name").iterator(2000), {}
    if kind == "opportunity":
        return Opportunity.objects.filter(archived_at=None).order_by("close_date", "name").iterator(
            2000
        ), {}
    if kind == "solution":
        return Solution.objects.filter(archived_at=None).order_by("name").iterator(2000), {}
    partners = {p.pk: p for p in active_partners(company=company)}
    return PartnerRelationship.objects.filter(partner_id__in=list(partners)).iterator(
        2000
    ), partners


def export_rows(kind: str, company: Company) -> tuple[list[str], Iterator[list[Any]]]:
    columns = columns_of(kind)
    lookups = _Lookups(company, columns)
    records, partners = _records(kind, company)

    def rows() -> Iterator[list[Any]]:
        for obj in records:
            yield [lookups.cell(c, _value(obj, c, partners)) for c in columns]

    return [c.label for c in columns], rows()


class Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(kind: str, company: Company) -> Iterator[str]:
    """Streamed: a large pipeline never sits in memory as one file."""
    headers, rows = export_rows(kind, company)
    writer = csv.writer(Echo())
    yield "\ufeff"  # Excel reads UTF-8 only with the byte-order mark
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else v for v in row])


def _xlsx_cell(value: Any) -> Any:
    """Excel can't hold control characters (a CRM's text may carry them): left out of the
    file, not the reason it can't be made."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_xlsx(kind: str, company: Company) -> bytes:
    headers, rows = export_rows(kind, company)
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append([_xlsx_cell(v) for v in row])
    buffer = io.BytesIO(data.export("xlsx"))
    return buffer.getvalue()

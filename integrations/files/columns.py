"""The fields a file's column can fill, per kind, and which column a header most likely is.
The core fields are the kind's own (the names people put on a spreadsheet's header row are
the synonyms); the company's custom fields follow, from the business schema."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from integrations.targets import TargetField, target_fields

KINDS = {
    "account": "Accounts",
    "opportunity": "Opportunities",
    "solution": "Solutions",
    "partner": "Partners",
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, long_text, number, money, percent, date, choice, domains, currency, person,
    # list (several values, ";"-separated), url, email
    type: str
    required: bool = False
    vocabulary: str = ""
    # for "choice" without a vocabulary: the (key, label) pairs
    choices: tuple[tuple[str, str], ...] = ()
    synonyms: tuple[str, ...] = ()
    max_length: int | None = None
    help: str = ""

    @property
    def target(self) -> TargetField:
        return TargetField(
            self.key, self.label, self.type, required=self.required, vocabulary=self.vocabulary,
            max_length=self.max_length,
        )  # fmt: skip


EXTERNAL_ID = Column(
    "external_id", "External id", "text", max_length=255,
    synonyms=("id", "external id", "record id", "crm id", "account id", "opportunity id", "deal id"),
    help="Re-importing a file with the same ids updates those records instead of adding new ones.",
)  # fmt: skip
OWNER = Column(
    "owner", "Owner", "person", synonyms=("owner", "owner email", "account owner", "deal owner"),
    help="A colleague's e-mail address.",
)  # fmt: skip

CORE: dict[str, list[Column]] = {
    "account": [
        EXTERNAL_ID,
        Column("name", "Name", "text", required=True, max_length=200,
               synonyms=("name", "account", "account name", "company", "company name", "customer")),
        Column("domains", "Web domains", "domains",
               synonyms=("website", "web site", "domain", "domains", "url", "web domain")),
        Column("industry", "Industry", "choice", vocabulary="industries", synonyms=("industry", "sector")),
        Column("region", "Region", "choice", vocabulary="regions", synonyms=("region", "territory", "geo")),
        Column("market_unit", "Market unit", "choice", vocabulary="market_units",
               synonyms=("market unit", "segment", "market")),
        Column("description", "Description", "long_text", max_length=10_000,
               synonyms=("description", "notes", "about")),
        OWNER,
    ],
    "opportunity": [
        EXTERNAL_ID,
        Column("name", "Deal name", "text", max_length=200,
               synonyms=("name", "deal", "deal name", "opportunity", "opportunity name", "title")),
        Column("customer_name", "Customer (account)", "text", required=True, max_length=200,
               synonyms=("customer", "account", "account name", "company", "customer name", "client")),
        Column("customer_domain", "Customer's web domain", "text", max_length=253,
               synonyms=("domain", "website", "customer domain", "account website", "web site")),
        Column("amount", "Amount", "number", required=True,
               synonyms=("amount", "value", "deal value", "deal amount", "revenue", "size")),
        Column("currency", "Currency", "currency", synonyms=("currency", "currency code", "ccy")),
        Column("close_date", "Close date", "date", required=True,
               synonyms=("close date", "closedate", "expected close", "close", "expected close date")),
        Column("stage", "Stage", "choice", vocabulary="stages", synonyms=("stage", "deal stage", "status", "phase")),
        Column("motion", "Motion", "choice", vocabulary="motions", synonyms=("motion", "type", "deal type")),
        Column("next_step", "Next step", "text", max_length=500, synonyms=("next step", "next steps")),
        Column("private_notes", "Private notes", "long_text", max_length=10_000,
               synonyms=("notes", "private notes", "comments", "description")),
        OWNER,
    ],
    "solution": [
        Column("name", "Name", "text", required=True, max_length=200,
               synonyms=("name", "solution", "solution name", "product", "offering")),
        Column("summary", "Summary", "long_text", synonyms=("summary", "description", "about")),
        Column("categories", "Categories", "list", synonyms=("categories", "category", "tags")),
        Column("industries", "Industries", "list", synonyms=("industries", "industry", "sectors")),
        Column("regions", "Regions", "list", synonyms=("regions", "region", "geographies")),
        Column("status", "Status", "choice",
               choices=(("draft", "Draft"), ("available", "Available"), ("retired", "Retired")),
               synonyms=("status", "state", "availability")),
    ],
    "partner": [
        Column("partner", "Partner", "text", required=True, max_length=200,
               synonyms=("partner", "partner name", "company", "name", "domain", "website"),
               help="The partner's name, web domain or workspace address: it must be your partner already."),
        Column("partner_type", "Partner type", "choice", vocabulary="partner_types",
               synonyms=("partner type", "type", "tier", "program")),
        Column("manager", "Partner manager", "person",
               synonyms=("manager", "partner manager", "owner", "pam", "channel manager")),
        Column("notes", "Notes", "long_text", max_length=10_000, synonyms=("notes", "comments")),
    ],
}  # fmt: skip


def columns_of(kind: str) -> list[Column]:
    """Core fields first, then the company's custom fields of the kind."""
    out = list(CORE.get(kind, []))
    for target in target_fields(kind):
        if target.is_custom:
            out.append(
                Column(
                    target.key, target.label, target.type, required=target.required,
                    vocabulary=target.vocabulary, max_length=target.max_length,
                    synonyms=(target.label.lower(), target.key.removeprefix("custom.").replace("_", " ")),
                )
            )  # fmt: skip
    return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def columns_suggest(kind: str, headers: list[str]) -> dict[str, str]:
    """Our field → the header it most likely is: an exact synonym first, then the closest
    spelling (at least 0.85 alike); each header used once."""
    columns = columns_of(kind)
    normalized = {h: _norm(h) for h in headers}
    taken: set[str] = set()
    out: dict[str, str] = {}
    for column in columns:
        names = {_norm(column.label), *(_norm(s) for s in column.synonyms)}
        exact = next((h for h in headers if normalized[h] in names and h not in taken), None)
        if exact is not None:
            out[column.key] = exact
            taken.add(exact)
    for column in columns:
        if column.key in out:
            continue
        names = [_norm(column.label), *(_norm(s) for s in column.synonyms)]
        best, score = None, 0.0
        for header in headers:
            if header in taken:
                continue
            for name in names:
                ratio = difflib.SequenceMatcher(None, normalized[header], name).ratio()
                if ratio > score:
                    best, score = header, ratio
        if best is not None and score >= 0.85:
            out[column.key] = best
            taken.add(best)
    return out

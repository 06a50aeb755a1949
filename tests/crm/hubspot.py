"""A HubSpot stand-in for the CRM connector's tests: an in-memory portal speaking the CRM v3 API's
documented request and response shapes (and the bits of v4 associations, OAuth and account info a
connector uses) over HTTPS on a loopback port.

What it serves:

- Auth: private-app tokens (`pat-na1-…`) and the OAuth 2.0 code flow (`/oauth/authorize`
  auto-approves, `/oauth/v1/token`, `/oauth/v1/access-tokens/{t}`, `/oauth/v1/refresh-tokens/{t}`).
  OAuth access tokens live 1,800 s on the stand-in's clock; `expire_access_tokens()` ends them now.
- `/account-info/v3/details`, `/crm/v3/owners`, `/crm/v3/properties/{type}`,
  `/crm/v3/pipelines/deals` (the default "Sales Pipeline" with HubSpot's default stages).
- Companies and deals: list, read (with `associations=`), create (with `associations`), update,
  archive, batch read/create/update/archive, and search.
- Deal-to-company associations: the v3 `associations` parts, v4 batch read, default create, list
  and delete.

HubSpot's documented search limits are on by default, so a connector that ignores them fails its
test as it would in production: a query pages to at most 10,000 results (`after` ≥ 10,000 answers
400), a page holds at most 200, and each token may search 5 times a second (the sixth answers 429
`{"errorType": "RATE_LIMIT", "policyName": "SECONDLY"}`). Both are constructor arguments.

Values are strings, as HubSpot stores them: datetimes as `2026-12-07T10:00:00.123Z`, dates as
`2026-12-07`, numbers as their text. Search filters on datetimes take epoch milliseconds as text.
`hs_lastmodifieddate` is strictly increasing across the portal's writes (ms precision) on a clock
tests can advance.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
import re
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from tests.crm.tls import (
    StandInRequest,
    StandInResponse,
    StandInServer,
    json_response,
    no_content,
)

# -- time ------------------------------------------------------------------------------------

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?$"
)


def format_ms(ms: int) -> str:
    """HubSpot's datetime text, `2026-12-07T10:00:00.123Z`."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}Z"
    )


def parse_ms(value: Any) -> int | None:
    """Epoch milliseconds of what HubSpot accepts for a datetime: epoch ms (number or text) or
    ISO 8601 (a bare date is midnight UTC)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str):
        return None
    return _parse_text_ms(value.strip())


@lru_cache(maxsize=1 << 18)
def _parse_text_ms(text: str) -> int | None:
    # Cached: search parses every record's timestamps on every request.
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    match = _ISO_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    ms = calendar.timegm(moment.timetuple()) * 1000 + int((fraction or "0").ljust(3, "0")[:3])
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return ms


# -- the schema ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HsProperty:
    """One property definition, as `/crm/v3/properties` describes it and writes must respect."""

    name: str
    label: str
    type: str  # string | number | date | datetime | enumeration | bool
    field_type: str
    group: str
    description: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    hubspot_defined: bool = True
    read_only_value: bool = False
    calculated: bool = False
    has_unique_value: bool = False
    show_currency_symbol: bool | None = None
    referenced_object_type: str | None = None
    display_order: int = -1

    def describe(self, portal_created: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": [
                {"label": label, "value": value, "displayOrder": i, "hidden": False}
                for i, (value, label) in enumerate(self.options)
            ],
            "displayOrder": self.display_order,
            "calculated": self.calculated,
            "externalOptions": self.referenced_object_type is not None,
            "hasUniqueValue": self.has_unique_value,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only_value,
            },
            "formField": not self.read_only_value,
            "dataSensitivity": "non_sensitive",
        }
        if self.show_currency_symbol is not None:
            body["showCurrencySymbol"] = self.show_currency_symbol
        if self.referenced_object_type:
            body["referencedObjectType"] = self.referenced_object_type
        if not self.hubspot_defined:
            body.update(createdAt=portal_created, updatedAt=portal_created, archived=False)
        return body


INDUSTRIES = (
    ("ACCOUNTING", "Accounting"), ("AUTOMOTIVE", "Automotive"), ("BANKING", "Banking"),
    ("BIOTECHNOLOGY", "Biotechnology"), ("COMPUTER_SOFTWARE", "Computer Software"),
    ("CONSTRUCTION", "Construction"), ("CONSUMER_ELECTRONICS", "Consumer Electronics"),
    ("FINANCIAL_SERVICES", "Financial Services"), ("HIGHER_EDUCATION", "Higher Education"),
    ("HOSPITAL_HEALTH_CARE", "Hospital & Health Care"),
    ("INFORMATION_TECHNOLOGY_AND_SERVICES", "Information Technology and Services"),
    ("INSURANCE", "Insurance"), ("INTERNET", "Internet"),
    ("LOGISTICS_AND_SUPPLY_CHAIN", "Logistics and Supply Chain"),
    ("MARKETING_AND_ADVERTISING", "Marketing and Advertising"),
    ("MECHANICAL_OR_INDUSTRIAL_ENGINEERING", "Mechanical or Industrial Engineering"),
    ("MEDICAL_DEVICES", "Medical Devices"), ("OIL_ENERGY", "Oil & Energy"),
    ("PHARMACEUTICALS", "Pharmaceuticals"), ("REAL_ESTATE", "Real Estate"),
    ("RENEWABLES_ENVIRONMENT", "Renewables & Environment"), ("RETAIL", "Retail"),
    ("TELECOMMUNICATIONS", "Telecommunications"),
)  # fmt: skip
STAGES = (
    ("appointmentscheduled", "Appointment Scheduled", "0.2"),
    ("qualifiedtobuy", "Qualified To Buy", "0.4"),
    ("presentationscheduled", "Presentation Scheduled", "0.6"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8"),
    ("contractsent", "Contract Sent", "0.9"),
    ("closedwon", "Closed Won", "1.0"),
    ("closedlost", "Closed Lost", "0.0"),
)
STAGE_PROBABILITY = {stage: probability for stage, _, probability in STAGES}
CURRENCIES = (("USD", "US Dollar"), ("EUR", "Euro"), ("GBP", "British Pound"))
TIERS = (("platinum", "Platinum"), ("gold", "Gold"), ("silver", "Silver"),
         ("registered", "Registered"))  # fmt: skip
BOOL_OPTIONS = (("true", "Yes"), ("false", "No"))
OBJECT_TYPE_IDS = {"companies": "0-2", "deals": "0-3"}
SINGULAR = {"companies": "company", "deals": "deal"}

# association type ids (HUBSPOT_DEFINED): deal→company primary 5 / unlabeled 341, and back 6 / 342
PRIMARY = {("deals", "companies"): 5, ("companies", "deals"): 6}
UNLABELED = {("deals", "companies"): 341, ("companies", "deals"): 342}
INVERSE = {5: 6, 6: 5, 341: 342, 342: 341}
TYPE_NAMES = {5: "deal_to_company", 341: "deal_to_company_unlabeled",
              6: "company_to_deal", 342: "company_to_deal_unlabeled"}  # fmt: skip
TYPE_LABELS: dict[int, str | None] = {5: "Primary", 6: "Primary", 341: None, 342: None}


def _common(owner_options: tuple[tuple[str, str], ...]) -> list[HsProperty]:
    return [
        HsProperty(
            "createdate",
            "Create Date",
            "datetime",
            "date",
            "dealinformation",
            "The date the record was created.",
        ),
        HsProperty(
            "hs_lastmodifieddate",
            "Last Modified Date",
            "datetime",
            "date",
            "dealinformation",
            "Most recent timestamp of any property update for this record.",
            read_only_value=True,
        ),
        HsProperty(
            "hs_object_id",
            "Record ID",
            "number",
            "number",
            "dealinformation",
            "The unique ID for this record. This value is set automatically by HubSpot.",
            read_only_value=True,
        ),
        HsProperty(
            "hubspot_owner_id",
            "Owner",
            "enumeration",
            "select",
            "dealinformation",
            "The owner of the record.",
            options=owner_options,
            referenced_object_type="OWNER",
        ),
    ]


def build_properties(
    owner_options: tuple[tuple[str, str], ...],
) -> dict[str, dict[str, HsProperty]]:
    companies = [
        HsProperty(
            "name",
            "Company name",
            "string",
            "text",
            "companyinformation",
            "The name of the company or organization.",
        ),
        HsProperty(
            "domain",
            "Company Domain Name",
            "string",
            "text",
            "companyinformation",
            "The domain name of the company or organization.",
        ),
        HsProperty(
            "industry",
            "Industry",
            "enumeration",
            "select",
            "companyinformation",
            "The type of business the company performs.",
            options=INDUSTRIES,
        ),
        HsProperty(
            "country",
            "Country/Region",
            "string",
            "text",
            "companyinformation",
            "The country/region in which the company or organization is located.",
        ),
        HsProperty(
            "description",
            "Description",
            "string",
            "textarea",
            "companyinformation",
            "A short statement about the company's mission and goals.",
        ),
        *[
            HsProperty(
                p.name,
                p.label,
                p.type,
                p.field_type,
                "companyinformation",
                p.description,
                p.options,
                read_only_value=p.read_only_value,
                referenced_object_type=p.referenced_object_type,
            )
            for p in _common(owner_options)
        ],
        HsProperty(
            "partner_tier",
            "Partner tier",
            "enumeration",
            "select",
            "companyinformation",
            "The company's tier in our partner programme.",
            options=TIERS,
            hubspot_defined=False,
        ),
        HsProperty(
            "strategic_account",
            "Strategic account",
            "bool",
            "booleancheckbox",
            "companyinformation",
            "Whether the company is a strategic account.",
            options=BOOL_OPTIONS,
            hubspot_defined=False,
        ),
    ]
    deals = [
        HsProperty(
            "dealname",
            "Deal Name",
            "string",
            "text",
            "dealinformation",
            "The name given to this deal.",
        ),
        HsProperty(
            "amount",
            "Amount",
            "number",
            "number",
            "dealinformation",
            "The total amount of the deal.",
            show_currency_symbol=True,
        ),
        HsProperty(
            "deal_currency_code",
            "Currency",
            "enumeration",
            "select",
            "dealinformation",
            "Currency code for the deal.",
            options=CURRENCIES,
        ),
        HsProperty(
            "closedate",
            "Close Date",
            "datetime",
            "date",
            "dealinformation",
            "Date the deal was closed. Set automatically by HubSpot.",
        ),
        HsProperty(
            "dealstage",
            "Deal Stage",
            "enumeration",
            "radio",
            "dealinformation",
            "The stage of the deal.",
            options=tuple((s, label) for s, label, _ in STAGES),
        ),
        HsProperty(
            "pipeline",
            "Pipeline",
            "enumeration",
            "select",
            "dealinformation",
            "The pipeline the deal is in.",
            options=(("default", "Sales Pipeline"),),
        ),
        HsProperty(
            "description",
            "Deal Description",
            "string",
            "textarea",
            "dealinformation",
            "Description of the deal.",
        ),
        HsProperty(
            "hs_next_step",
            "Next step",
            "string",
            "textarea",
            "dealinformation",
            "A short description of the next step for the deal.",
        ),
        HsProperty(
            "hs_deal_stage_probability",
            "Deal probability",
            "number",
            "number",
            "dealinformation",
            "The probability a deal will close. This defaults to the "
            "deal stage probability setting.",
        ),
        *_common(owner_options),
        HsProperty(
            "partner_notes",
            "Partner notes",
            "string",
            "textarea",
            "dealinformation",
            "Notes shared with the partner on this deal.",
            hubspot_defined=False,
        ),
        HsProperty(
            "partner_registration_date",
            "Partner registration date",
            "date",
            "date",
            "dealinformation",
            "The day the partner registered the deal.",
            hubspot_defined=False,
        ),
    ]
    return {
        "companies": {p.name: p for p in companies},
        "deals": {p.name: p for p in deals},
    }


DEFAULT_PROPERTIES = {
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": ("amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate",
              "hs_object_id", "pipeline"),
}  # fmt: skip
ALWAYS = ("createdate", "hs_lastmodifieddate", "hs_object_id")
SEARCH_TEXT = {"companies": ("name", "domain"), "deals": ("dealname",)}
OPERATORS = {
    "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
    "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
}  # fmt: skip


class HubSpotError(Exception):
    """An answer HubSpot gives as `{"status": "error", "message", "category", …}`."""

    def __init__(self, status: int, category: str, message: str, **extra: Any) -> None:
        super().__init__(f"{category}: {message}")
        self.status = status
        self.body: dict[str, Any] = {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
            **extra,
        }


def _validation(message: str, **extra: Any) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message, **extra)


@dataclass
class _Record:
    id: str
    properties: dict[str, str | None]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None


@dataclass
class SeededIds:
    companies: list[str] = field(default_factory=list)
    deals: list[str] = field(default_factory=list)


class HubSpotStandIn(StandInServer):
    """An in-memory HubSpot portal behind HTTPS on 127.0.0.1 (see the module docstring).

    Point the HubSpot client at it with `HubSpot(access_token=…, host=standin.base_url,
    ssl_ca_cert=standin.ca_path)`.
    """

    name = "hubspot"
    ACCESS_TOKEN_SECONDS = 1800
    ALL_SCOPES = (
        "oauth",
        "crm.objects.companies.read",
        "crm.objects.companies.write",
        "crm.objects.deals.read",
        "crm.objects.deals.write",
        "crm.objects.owners.read",
        "crm.schemas.companies.read",
        "crm.schemas.deals.read",
    )

    def __init__(
        self,
        *,
        client_id: str = "5f1c8a2e-standin-client",
        client_secret: str = "standin-hubspot-client-secret",
        port: int = 0,
        portal_id: int = 24681357,
        hub_domain: str = "northwind-standin.com",
        search_rate_limit: int | None = 5,
        search_result_cap: int | None = 10_000,
        search_retry_after: str | None = None,
        owners: int = 6,
    ) -> None:
        super().__init__(port=port)
        self.client_id = client_id
        self.client_secret = client_secret
        self.portal_id = portal_id
        self.hub_domain = hub_domain
        self.search_rate_limit = search_rate_limit
        """Searches allowed per token per second (None: unlimited)."""
        self.search_result_cap = search_result_cap
        """Results one search query may page through (None: unlimited)."""
        self.search_retry_after = search_retry_after
        """A Retry-After header for the secondly-limit 429 (HubSpot documents none)."""
        self.app_id = 3141592
        self.user_id = 75310001
        self.user_email = "integration@northwind.example"
        self._lock = threading.RLock()
        self._clock_offset_ms = 0
        self._last_ms = 0
        self._created_text = format_ms(self._now_ms() - 400 * 86_400_000)
        self.owners = [
            {
                "id": str(90_000_000 + i),
                "email": f"owner{i}@northwind.example",
                "type": "PERSON",
                "firstName": ("Alex", "Sam", "Jo", "Kim", "Ari", "Noa")[(i - 1) % 6],
                "lastName": f"Owner{i:02d}",
                "userId": 75_310_000 + i,
                "userIdIncludingInactive": 75_310_000 + i,
                "createdAt": self._created_text,
                "updatedAt": self._created_text,
                "archived": False,
            }
            for i in range(1, owners + 1)
        ]
        owner_options = tuple((o["id"], f"{o['firstName']} {o['lastName']}") for o in self.owners)
        self.properties = build_properties(owner_options)
        self._records: dict[str, dict[str, _Record]] = {"companies": {}, "deals": {}}
        self._next_id = {"companies": 30_000_000_001, "deals": 15_000_000_001}
        # (from type, from id) -> {(to type, to id): {association type ids}}
        self._links: dict[tuple[str, str], dict[tuple[str, str], set[int]]] = {}
        self._pat = f"pat-na1-{uuid.uuid4()}"
        self._private_tokens = {self._pat}
        self._access: dict[str, dict[str, Any]] = {}
        self._expired: set[str] = set()
        self._refresh: dict[str, dict[str, Any]] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._search_times: dict[str, deque[float]] = {}

    # -- clock

    def _now_ms(self) -> int:
        return int(time.time() * 1000) + self._clock_offset_ms

    def _tick(self) -> int:
        with self._lock:
            self._last_ms = max(self._now_ms(), self._last_ms + 1)
            return self._last_ms

    def advance_clock(self, seconds: float) -> None:
        """Move the portal's clock forward: later writes' timestamps, OAuth token lifetimes."""
        with self._lock:
            self._clock_offset_ms += int(seconds * 1000)

    def now_ms(self) -> int:
        return self._now_ms()

    # -- tokens (test helpers)

    def private_app_token(self) -> str:
        """The portal's private-app access token (all CRM scopes; it does not expire)."""
        return self._pat

    def _issue(self, scopes: list[str], refresh: str | None = None) -> tuple[str, str]:
        access = "CO" + secrets.token_urlsafe(96)
        if refresh is None:
            refresh = str(uuid.uuid4())
            self._refresh[refresh] = {"scopes": scopes}
        self._access[access] = {
            "scopes": scopes,
            "expires_ms": self._now_ms() + self.ACCESS_TOKEN_SECONDS * 1000,
            "refresh": refresh,
        }
        return access, refresh

    def issue_tokens(self, scopes: list[str] | None = None) -> tuple[str, str]:
        """A valid OAuth (access token, refresh token) pair without the browser step."""
        with self._lock:
            return self._issue(list(scopes or self.ALL_SCOPES))

    def expire_access_tokens(self) -> None:
        """Every OAuth access token issued so far has expired: the API answers 401
        EXPIRED_AUTHENTICATION until the client refreshes. Private-app tokens are unaffected."""
        with self._lock:
            self._expired.update(self._access)
            self._access.clear()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token is gone (the app was uninstalled): refreshing answers 400
        BAD_REFRESH_TOKEN."""
        with self._lock:
            self._refresh.clear()

    # -- the record store (test helpers)

    def _type(self, object_type: str) -> str:
        lowered = object_type.lower()
        for name, type_id in OBJECT_TYPE_IDS.items():
            if lowered in (name, type_id, SINGULAR[name]):
                return name
        raise HubSpotError(
            400,
            "OBJECT_TYPE_NOT_FOUND" if lowered else "VALIDATION_ERROR",
            f"Unable to infer object type from: {object_type}",
        )

    def _new_id(self, object_type: str) -> str:
        with self._lock:
            number = self._next_id[object_type]
            self._next_id[object_type] = number + 1
        return str(number)

    def create(
        self, object_type: str, properties: dict[str, Any], *, company_id: str | None = None
    ) -> str:
        """Create a record as the API would (validated; raises HubSpotError). A deal may be
        given its primary company."""
        kind = self._type(object_type)
        associations = []
        if company_id is not None:
            associations = [
                {
                    "to": {"id": company_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
                }
            ]
        return self._create(kind, properties, associations).id

    def update(self, object_type: str, record_id: str, properties: dict[str, Any]) -> None:
        """Update a record as a PATCH would (validated; new hs_lastmodifieddate)."""
        self._update(self._type(object_type), record_id, properties)

    def archive(self, object_type: str, record_id: str) -> None:
        """Archive (delete) a record as the API would."""
        self._archive(self._type(object_type), record_id)

    def get(self, object_type: str, record_id: str) -> dict[str, Any]:
        """The stored record (archived ones too): id, properties, createdAt, updatedAt, archived."""
        kind = self._type(object_type)
        with self._lock:
            record = self._records[kind][record_id]
            return {
                "id": record.id,
                "properties": dict(record.properties),
                "createdAt": format_ms(record.created_ms),
                "updatedAt": format_ms(record.updated_ms),
                "archived": record.archived,
            }

    def count(self, object_type: str, *, archived: bool = False) -> int:
        kind = self._type(object_type)
        with self._lock:
            return sum(1 for r in self._records[kind].values() if r.archived == archived)

    def put_raw(self, object_type: str, properties: dict[str, Any]) -> str:
        """Store a record's properties exactly as given, unvalidated (say amount "abc" or
        closedate "31/12/2026"), to exercise a connector's handling of data the API would never
        produce; id and timestamps are filled in."""
        kind = self._type(object_type)
        ms = self._tick()
        record_id = self._new_id(kind)
        values = {name: None for name in DEFAULT_PROPERTIES[kind]}
        values.update(
            hs_object_id=record_id, createdate=format_ms(ms), hs_lastmodifieddate=format_ms(ms)
        )
        values.update({k: (None if v is None else str(v)) for k, v in properties.items()})
        with self._lock:
            self._records[kind][record_id] = _Record(record_id, values, ms, ms)
        return record_id

    def associate(self, deal_id: str, company_id: str, *, primary: bool = True) -> None:
        """Associate a deal with a company (primary, or only the unlabeled default)."""
        types = {341, 5} if primary else {341}
        with self._lock:
            self._link("deals", deal_id, "companies", company_id, types)

    def seed(
        self, companies: int = 0, deals: int = 0, *, seed: int = 11, days: int = 30
    ) -> SeededIds:
        """Fill the portal with realistic companies and deals fast, each deal associated with one
        company (primary). Timestamps are spread over the last `days` days, older than any later
        write."""
        rng = random.Random(seed)
        total = companies + deals
        span = max(days * 86_400_000, total)
        step = span / max(total, 1)
        clock = [float(self._now_ms() - span - 1000)]
        countries = (
            "United States",
            "Germany",
            "United Kingdom",
            "France",
            "Canada",
            "Netherlands",
            "Australia",
            "Japan",
            "Spain",
            "Sweden",
        )
        words = (
            "Northwind",
            "Contoso",
            "Fabrikam",
            "Globex",
            "Initech",
            "Umbrella",
            "Vandelay",
            "Stark",
            "Wayne",
            "Acme",
            "Hooli",
            "Tyrell",
            "Cyberdyne",
            "Wonka",
        )
        products = ("Platform", "Renewal", "Expansion", "Pilot", "Services", "Upgrade")
        owner_ids = [o["id"] for o in self.owners]
        out = SeededIds()
        with self._lock:
            store = self._records["companies"]
            for i in range(companies):
                clock[0] += step
                ms = int(clock[0])
                record_id = self._new_id("companies")
                text = format_ms(ms)
                name = f"{words[rng.randrange(len(words))]} {words[rng.randrange(len(words))]} #{i + 1}"
                store[record_id] = _Record(
                    record_id,
                    {
                        "name": name,
                        "domain": f"company{i + 1}.example",
                        "industry": INDUSTRIES[rng.randrange(len(INDUSTRIES))][0],
                        "country": countries[rng.randrange(len(countries))],
                        "description": None,
                        "createdate": text,
                        "hs_lastmodifieddate": text,
                        "hs_object_id": record_id,
                        "hubspot_owner_id": owner_ids[rng.randrange(len(owner_ids))]
                        if owner_ids
                        else None,
                        "partner_tier": TIERS[rng.randrange(len(TIERS))][0],
                    },
                    ms,
                    ms,
                )
                out.companies.append(record_id)
            store = self._records["deals"]
            for i in range(deals):
                clock[0] += step
                ms = int(clock[0])
                record_id = self._new_id("deals")
                text = format_ms(ms)
                stage = STAGES[rng.randrange(len(STAGES))][0]
                close = ms + rng.randrange(1, 365) * 86_400_000
                store[record_id] = _Record(
                    record_id,
                    {
                        "dealname": f"{products[rng.randrange(len(products))]} deal #{i + 1}",
                        "amount": str(rng.randrange(5, 2000) * 500),
                        "deal_currency_code": CURRENCIES[rng.randrange(len(CURRENCIES))][0],
                        "closedate": format_ms(close - close % 86_400_000),
                        "dealstage": stage,
                        "pipeline": "default",
                        "description": None,
                        "hs_next_step": None,
                        "hs_deal_stage_probability": STAGE_PROBABILITY[stage],
                        "createdate": text,
                        "hs_lastmodifieddate": text,
                        "hs_object_id": record_id,
                        "hubspot_owner_id": owner_ids[rng.randrange(len(owner_ids))]
                        if owner_ids
                        else None,
                        "partner_notes": None,
                    },
                    ms,
                    ms,
                )
                out.deals.append(record_id)
                if out.companies:
                    company = out.companies[rng.randrange(len(out.companies))]
                    self._link("deals", record_id, "companies", company, {5, 341})
            self._last_ms = max(self._last_ms, int(clock[0]))
        return out

    # -- associations

    def _link(
        self, from_type: str, from_id: str, to_type: str, to_id: str, types: set[int]
    ) -> None:
        self._links.setdefault((from_type, from_id), {}).setdefault((to_type, to_id), set()).update(
            types
        )
        back = {INVERSE[t] for t in types}
        self._links.setdefault((to_type, to_id), {}).setdefault((from_type, from_id), set()).update(
            back
        )

    def _unlink(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self._links.get((from_type, from_id), {}).pop((to_type, to_id), None)
        self._links.get((to_type, to_id), {}).pop((from_type, from_id), None)

    def _linked(self, from_type: str, from_id: str, to_type: str) -> list[tuple[str, set[int]]]:
        """Live records of `to_type` associated with a record, by id, with their type ids."""
        links = self._links.get((from_type, from_id), {})
        store = self._records[to_type]
        found = [
            (to_id, types)
            for (kind, to_id), types in links.items()
            if kind == to_type and to_id in store and not store[to_id].archived
        ]
        return sorted(found, key=lambda item: int(item[0]))

    # -- validation and writes

    def _check(self, kind: str, values: Any, *, creating: bool) -> dict[str, str | None]:
        if not isinstance(values, dict):
            raise _validation("Invalid input JSON on line 1: properties must be an object")
        definitions = self.properties[kind]
        problems: list[dict[str, Any]] = []
        clean: dict[str, str | None] = {}

        def problem(name: str, code: str, message: str) -> None:
            problems.append(
                {
                    "isValid": False,
                    "message": message,
                    "error": code,
                    "name": name,
                    "localizedErrorMessage": message,
                }
            )

        for name, value in values.items():
            definition = definitions.get(name)
            if definition is None:
                problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                continue
            if definition.read_only_value:
                problem(
                    name,
                    "READ_ONLY_VALUE",
                    f'"{name}" is a read only property; its value cannot be set.',
                )
                continue
            if value is None or value == "":
                clean[name] = "" if value == "" else None
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            text = str(value)
            kind_of = definition.type
            if kind_of == "number":
                try:
                    float(text)
                except ValueError:
                    problem(name, "INVALID_INTEGER", f"{text} was not a valid number.")
                    continue
                if isinstance(value, float) and value.is_integer():
                    text = str(int(value))
            elif kind_of == "datetime":
                ms = parse_ms(value)
                if ms is None:
                    problem(name, "INVALID_DATE", f"{text} was not a valid date or datetime.")
                    continue
                text = format_ms(ms)
            elif kind_of == "date":
                ms = parse_ms(value)
                if ms is None:
                    problem(name, "INVALID_DATE", f"{text} was not a valid date.")
                    continue
                if ms % 86_400_000:
                    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
                    problem(
                        name,
                        "INVALID_DATE",
                        f"{text} is at {moment.hour}:{moment.minute}:{moment.second}."
                        f"{moment.microsecond // 1000} UTC, not midnight!",
                    )
                    continue
                text = format_ms(ms)[:10]
            elif kind_of in ("enumeration", "bool"):
                allowed = [v for v, _ in definition.options]
                if kind_of == "bool":
                    text = text.lower()
                if name == "dealstage":
                    allowed = [s for s, _, _ in STAGES]
                if text not in allowed:
                    listed = ", ".join(
                        f'label: "{label}" value: "{v}"' for v, label in definition.options
                    )
                    problem(
                        name,
                        "INVALID_OPTION",
                        f"{text} was not one of the allowed options: [{listed}]",
                    )
                    continue
            clean[name] = text
        if problems:
            raise _validation(
                f"Property values were not valid: {json.dumps(problems)}",
                errors=[
                    {
                        "message": p["message"],
                        "code": p["error"],
                        "context": {"propertyName": [p["name"]]},
                    }
                    for p in problems
                ],
            )
        if kind == "deals" and "dealstage" in clean and "hs_deal_stage_probability" not in clean:
            clean["hs_deal_stage_probability"] = STAGE_PROBABILITY.get(clean["dealstage"] or "")
        if creating and kind == "deals":
            clean.setdefault("pipeline", "default")
        return clean

    def _check_associations(self, kind: str, associations: Any) -> list[tuple[str, str, set[int]]]:
        if associations in (None, []):
            return []
        if not isinstance(associations, list):
            raise _validation("Invalid input JSON: associations must be a list")
        out = []
        for item in associations:
            to_id = str(((item or {}).get("to") or {}).get("id") or "")
            types = set()
            for spec in (item or {}).get("types") or []:
                type_id = spec.get("associationTypeId")
                category = spec.get("associationCategory")
                if category != "HUBSPOT_DEFINED" or type_id not in TYPE_NAMES:
                    raise _validation(
                        f"{category} {type_id} is not a valid association type "
                        "between these objects"
                    )
                types.add(int(type_id))
            to_type = "companies" if kind == "deals" else "deals"
            if not types:
                raise _validation("associations need at least one type")
            if types - {PRIMARY[(kind, to_type)], UNLABELED[(kind, to_type)]}:
                raise _validation("association type does not connect these object types")
            target = self._records[to_type].get(to_id)
            if target is None or target.archived:
                raise _validation(f"{SINGULAR[to_type].upper()}={to_id} is not valid")
            types.add(UNLABELED[(kind, to_type)])  # a labelled association is also unlabelled
            out.append((to_type, to_id, types))
        return out

    def _create(self, kind: str, properties: Any, associations: Any = None) -> _Record:
        with self._lock:
            clean = self._check(kind, properties or {}, creating=True)
            links = self._check_associations(kind, associations)
            ms = self._tick()
            record_id = self._new_id(kind)
            values: dict[str, str | None] = {**clean}
            values["hs_object_id"] = record_id
            created = parse_ms(values.get("createdate")) if values.get("createdate") else None
            values["createdate"] = format_ms(created if created is not None else ms)
            values["hs_lastmodifieddate"] = format_ms(ms)
            record = _Record(record_id, values, ms, ms)
            self._records[kind][record_id] = record
            for to_type, to_id, types in links:
                self._link(kind, record_id, to_type, to_id, types)
            return record

    def _live(self, kind: str, record_id: str, *, archived: bool = False) -> _Record:
        record = self._records[kind].get(str(record_id))
        if record is None or record.archived != archived:
            raise HubSpotError(
                404,
                "OBJECT_NOT_FOUND",
                "Object not found.  objectId are usually numeric.",
                context={"id": [str(record_id)]},
            )
        return record

    def _update(self, kind: str, record_id: str, properties: Any) -> _Record:
        with self._lock:
            record = self._live(kind, record_id)
            clean = self._check(kind, properties or {}, creating=False)
            ms = self._tick()
            values = {**record.properties, **clean, "hs_lastmodifieddate": format_ms(ms)}
            updated = _Record(record.id, values, record.created_ms, ms)
            self._records[kind][record.id] = updated
            return updated

    def _archive(self, kind: str, record_id: str) -> None:
        with self._lock:
            record = self._live(kind, record_id)
            ms = self._tick()
            self._records[kind][record.id] = _Record(
                record.id, dict(record.properties), record.created_ms, ms, True, ms
            )

    # -- rendering

    def _render(
        self,
        kind: str,
        record: _Record,
        names: list[str] | None,
        associations: list[str] | None = None,
        *,
        always: bool = True,
    ) -> dict[str, Any]:
        if names:
            wanted = list(dict.fromkeys([*names, *ALWAYS])) if always else names
            properties = {n: record.properties.get(n) for n in wanted if n in self.properties[kind]}
        else:
            properties = {n: record.properties.get(n) for n in DEFAULT_PROPERTIES[kind]}
        body: dict[str, Any] = {
            "id": record.id,
            "properties": properties,
            "createdAt": format_ms(record.created_ms),
            "updatedAt": format_ms(record.updated_ms),
            "archived": record.archived,
        }
        if record.archived and record.archived_ms is not None:
            body["archivedAt"] = format_ms(record.archived_ms)
        if associations:
            linked: dict[str, Any] = {}
            for other in associations:
                try:
                    to_type = self._type(other)
                except HubSpotError:
                    continue
                results = [
                    {"id": to_id, "type": TYPE_NAMES[t]}
                    for to_id, types in self._linked(kind, record.id, to_type)
                    for t in sorted(types, key=lambda t: t not in PRIMARY.values())
                ]
                if results:
                    linked[to_type] = {"results": results}
            if linked:
                body["associations"] = linked
        return body

    # -- HTTP

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": "SECONDLY",
                "requestId": str(uuid.uuid4()),
            }
        categories = {
            401: ("INVALID_AUTHENTICATION", "Authentication credentials not found."),
            403: (
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call.",
            ),
            404: ("OBJECT_NOT_FOUND", "resource not found"),
            500: ("INTERNAL_ERROR", "internal error"),
            502: ("INTERNAL_ERROR", "Bad Gateway"),
            503: ("SERVICE_UNAVAILABLE", "Service Unavailable"),
            504: ("INTERNAL_ERROR", "Gateway Timeout"),
        }
        category, message = categories.get(status, ("INTERNAL_ERROR", f"injected fault {status}"))
        return {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
        }

    def handle(self, request: StandInRequest) -> StandInResponse:
        try:
            response = self._route(request)
        except HubSpotError as error:
            response = json_response(error.status, error.body)
        response.headers.setdefault("X-HubSpot-Correlation-Id", str(uuid.uuid4()))
        return response

    def _route(self, request: StandInRequest) -> StandInResponse:
        path = request.path.rstrip("/") or "/"
        method = request.method
        parts = path.strip("/").split("/")
        if path == "/oauth/authorize" and method == "GET":
            return self._authorize(request)
        if parts[:2] == ["oauth", "v1"]:
            return self._oauth(request, parts[2:])
        scopes = self._authenticate(request)
        if path in ("/account-info/v3/details", "/integrations/v1/me") and method == "GET":
            return self._account_info(path)
        if parts[:3] == ["crm", "v3", "owners"] and method == "GET":
            self._require(scopes, "crm.objects.owners.read")
            return json_response(200, {"results": self.owners})
        if parts[:3] == ["crm", "v3", "properties"] and len(parts) in (4, 5) and method == "GET":
            kind = self._type(parts[3])
            self._require(scopes, f"crm.schemas.{kind}.read")
            if len(parts) == 5:
                definition = self.properties[kind].get(parts[4])
                if definition is None:
                    raise HubSpotError(
                        404,
                        "OBJECT_NOT_FOUND",
                        f"Unable to find property {parts[4]} for {SINGULAR[kind]}",
                    )
                return json_response(200, definition.describe(self._created_text))
            return json_response(
                200,
                {
                    "results": [
                        p.describe(self._created_text) for p in self.properties[kind].values()
                    ]
                },
            )
        if parts[:3] == ["crm", "v3", "pipelines"] and len(parts) >= 4 and method == "GET":
            return self._pipelines(scopes, parts[3:])
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4:
            return self._objects(request, scopes, self._type(parts[3]), parts[4:])
        if (
            parts[:3] == ["crm", "v4", "associations"]
            and len(parts) == 7
            and parts[5:] == ["batch", "read"]
        ):
            return self._v4_batch_read(request, scopes, self._type(parts[3]), self._type(parts[4]))
        if parts[:3] == ["crm", "v4", "objects"] and len(parts) >= 6 and parts[5] == "associations":
            return self._v4_object(request, scopes, self._type(parts[3]), parts[4], parts[6:])
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"No route for {method} {path}")

    # -- auth

    def _authenticate(self, request: StandInRequest) -> list[str]:
        token = request.bearer()
        with self._lock:
            if token in self._private_tokens:
                return list(self.ALL_SCOPES)
            session = self._access.get(token or "")
            if session is not None and session["expires_ms"] <= self._now_ms():
                self._expired.add(token or "")
                del self._access[token or ""]
                session = None
            if session is None:
                if token in self._expired:
                    raise HubSpotError(
                        401,
                        "EXPIRED_AUTHENTICATION",
                        "The OAuth token used to make this call expired 0 minute(s) ago.",
                    )
                raise HubSpotError(
                    401,
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not found. This API supports OAuth 2.0 "
                    "authentication and you can find more details at "
                    "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                )
            return session["scopes"]

    def _require(self, scopes: list[str], *needed: str) -> None:
        missing = [s for s in needed if s not in scopes]
        if missing:
            raise HubSpotError(
                403,
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call. Read more "
                "about required scopes here: https://developers.hubspot.com/scopes.",
                errors=[
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": missing},
                    }
                ],
                links={"scopes": "https://developers.hubspot.com/scopes"},
            )

    def _authorize(self, request: StandInRequest) -> StandInResponse:
        redirect_uri = request.param("redirect_uri") or ""
        if request.param("client_id") != self.client_id or not redirect_uri:
            return StandInResponse(
                400,
                b"Authorization failed because there is no app with the client id given, "
                b"or no redirect_uri.",
                content_type="text/plain;charset=UTF-8",
            )
        scopes = (request.param("scope") or "").split() + (
            request.param("optional_scope") or ""
        ).split()
        code = str(uuid.uuid4())
        with self._lock:
            self._codes[code] = {
                "redirect_uri": redirect_uri,
                "scopes": [s for s in dict.fromkeys(scopes) if s] or list(self.ALL_SCOPES),
                "expires": time.monotonic() + 600,
            }
        params = {"code": code}
        if request.param("state") is not None:
            params["state"] = request.param("state") or ""
        separator = "&" if "?" in redirect_uri else "?"
        return StandInResponse(
            302, b"", {"Location": redirect_uri + separator + urlencode(params)}, content_type=None
        )

    def _oauth_error(self, status: str, message: str) -> StandInResponse:
        return json_response(
            400, {"status": status, "message": message, "correlationId": str(uuid.uuid4())}
        )

    def _oauth(self, request: StandInRequest, parts: list[str]) -> StandInResponse:
        method = request.method
        if parts == ["token"] and method == "POST":
            return self._token(request.form())
        if len(parts) == 2 and parts[0] == "access-tokens" and method == "GET":
            with self._lock:
                session = self._access.get(parts[1])
                if session is None or session["expires_ms"] <= self._now_ms():
                    raise HubSpotError(404, "OBJECT_NOT_FOUND", "Token not found")
                seconds = max(0, (session["expires_ms"] - self._now_ms()) // 1000)
            return json_response(
                200,
                {
                    "token": parts[1],
                    "user": self.user_email,
                    "hub_domain": self.hub_domain,
                    "scopes": session["scopes"],
                    "scope_to_scope_group_pks": [],
                    "trial_scopes": [],
                    "trial_scope_to_scope_group_pks": [],
                    "hub_id": self.portal_id,
                    "app_id": self.app_id,
                    "expires_in": seconds,
                    "user_id": self.user_id,
                    "token_type": "access",
                },
            )
        if len(parts) == 2 and parts[0] == "refresh-tokens":
            with self._lock:
                grant = self._refresh.get(parts[1])
                if grant is None:
                    raise HubSpotError(404, "OBJECT_NOT_FOUND", "Refresh token not found")
                if method == "DELETE":
                    del self._refresh[parts[1]]
                    return no_content()
            if method == "GET":
                return json_response(
                    200,
                    {
                        "token": parts[1],
                        "user": self.user_email,
                        "hub_domain": self.hub_domain,
                        "scopes": grant["scopes"],
                        "hub_id": self.portal_id,
                        "client_id": self.client_id,
                        "user_id": self.user_id,
                        "token_type": "refresh",
                    },
                )
        raise HubSpotError(404, "OBJECT_NOT_FOUND", "No such OAuth resource")

    def _token(self, form: dict[str, str]) -> StandInResponse:
        grant_type = form.get("grant_type")
        if grant_type not in ("authorization_code", "refresh_token"):
            return self._oauth_error("BAD_GRANT_TYPE", "missing or unknown grant type")
        if form.get("client_id") != self.client_id:
            return self._oauth_error("BAD_CLIENT_ID", "missing or unknown client id")
        if form.get("client_secret") != self.client_secret:
            return self._oauth_error("BAD_CLIENT_SECRET", "missing or invalid client secret")
        with self._lock:
            if grant_type == "refresh_token":
                refresh = form.get("refresh_token") or ""
                grant = self._refresh.get(refresh)
                if grant is None:
                    return self._oauth_error(
                        "BAD_REFRESH_TOKEN", "missing or unknown refresh token"
                    )
                access, _ = self._issue(grant["scopes"], refresh)
            else:
                code = self._codes.pop(form.get("code") or "", None)
                if code is None or code["expires"] < time.monotonic():
                    return self._oauth_error("BAD_AUTH_CODE", "missing or unknown auth code")
                if form.get("redirect_uri") != code["redirect_uri"]:
                    return self._oauth_error(
                        "BAD_REDIRECT_URI", "redirect_uri does not match initial auth request"
                    )
                access, refresh = self._issue(code["scopes"])
        return json_response(
            200,
            {
                "token_type": "bearer",
                "refresh_token": refresh,
                "access_token": access,
                "expires_in": self.ACCESS_TOKEN_SECONDS,
            },
        )

    # -- portal-level resources

    def _account_info(self, path: str) -> StandInResponse:
        if path == "/integrations/v1/me":
            return json_response(
                200,
                {
                    "portalId": self.portal_id,
                    "timeZone": "Europe/London",
                    "currency": "USD",
                    "utcOffsetMilliseconds": 0,
                    "utcOffset": "+00:00",
                },
            )
        return json_response(
            200,
            {
                "portalId": self.portal_id,
                "accountType": "STANDARD",
                "timeZone": "Europe/London",
                "companyCurrency": "USD",
                "additionalCurrencies": ["EUR", "GBP"],
                "utcOffset": "+00:00",
                "utcOffsetMilliseconds": 0,
                "uiDomain": "app.hubspot.com",
                "dataHostingLocation": "na1",
            },
        )

    def _pipeline(self) -> dict[str, Any]:
        created = self._created_text
        return {
            "id": "default",
            "label": "Sales Pipeline",
            "displayOrder": 0,
            "stages": [
                {
                    "id": stage,
                    "label": label,
                    "displayOrder": order,
                    "metadata": {
                        "isClosed": "true" if stage.startswith("closed") else "false",
                        "probability": probability,
                    },
                    "createdAt": created,
                    "updatedAt": created,
                    "archived": False,
                    "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                }
                for order, (stage, label, probability) in enumerate(STAGES)
            ],
            "createdAt": created,
            "updatedAt": created,
            "archived": False,
        }

    def _pipelines(self, scopes: list[str], parts: list[str]) -> StandInResponse:
        kind = self._type(parts[0])
        self._require(scopes, f"crm.objects.{kind}.read")
        if kind != "deals":
            raise _validation(f"Pipelines are not supported for object type {kind}")
        pipeline = self._pipeline()
        if len(parts) == 1:
            return json_response(200, {"results": [pipeline]})
        if parts[1] != "default":
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Unable to find pipeline {parts[1]}")
        if len(parts) == 2:
            return json_response(200, pipeline)
        if parts[2:] == ["stages"]:
            return json_response(200, {"results": pipeline["stages"]})
        raise HubSpotError(404, "OBJECT_NOT_FOUND", "No such pipeline resource")

    # -- objects

    def _objects(
        self, request: StandInRequest, scopes: list[str], kind: str, parts: list[str]
    ) -> StandInResponse:
        method = request.method
        read, write = f"crm.objects.{kind}.read", f"crm.objects.{kind}.write"
        if not parts:
            if method == "GET":
                self._require(scopes, read)
                return self._list(request, kind)
            if method == "POST":
                self._require(scopes, write)
                body = self._body(request)
                record = self._create(kind, body.get("properties"), body.get("associations"))
                return json_response(
                    201,
                    self._render(kind, record, None, always=False)
                    | {"properties": {k: v for k, v in record.properties.items() if v is not None}},
                )
            raise HubSpotError(405, "METHOD_NOT_ALLOWED", f"{method} not allowed")
        if parts == ["search"] and method == "POST":
            self._require(scopes, read)
            return self._search(request, kind)
        if parts[0] == "batch" and len(parts) == 2 and method == "POST":
            return self._batch(request, scopes, kind, parts[1])
        if len(parts) != 1:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", "No such resource")
        record_id = parts[0]
        if method == "GET":
            self._require(scopes, read)
            archived = (request.param("archived") or "false").lower() == "true"
            with self._lock:
                record = self._live(kind, record_id, archived=archived)
                return json_response(
                    200,
                    self._render(
                        kind, record, request.params("properties"), request.params("associations")
                    ),
                )
        if method == "PATCH":
            self._require(scopes, write)
            body = self._body(request)
            record = self._update(kind, record_id, body.get("properties"))
            with self._lock:
                return json_response(
                    200,
                    self._render(kind, record, None)
                    | {"properties": {k: v for k, v in record.properties.items() if v is not None}},
                )
        if method == "DELETE":
            self._require(scopes, write)
            with self._lock:
                record = self._records[kind].get(record_id)
                if record is not None and not record.archived:
                    self._archive(kind, record_id)
            return no_content()  # archiving a missing or archived record is not an error
        raise HubSpotError(405, "METHOD_NOT_ALLOWED", f"{method} not allowed")

    def _body(self, request: StandInRequest) -> dict[str, Any]:
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError) as error:
            raise _validation(f"Invalid input JSON on line 1, column 1: {error}") from None
        if not isinstance(body, dict):
            raise _validation("Invalid input JSON on line 1, column 1: expected an object")
        return body

    def _list(self, request: StandInRequest, kind: str) -> StandInResponse:
        limit = self._int(request.param("limit"), 10, "limit")
        if not 1 <= limit <= 100:
            raise _validation("limit must be between 1 and 100")
        after = request.param("after")
        after_id = self._int(after, 0, "after") if after else 0
        archived = (request.param("archived") or "false").lower() == "true"
        names = request.params("properties")
        associations = request.params("associations")
        with self._lock:
            candidates = sorted(
                (
                    r
                    for r in self._records[kind].values()
                    if r.archived == archived and int(r.id) >= after_id
                ),
                key=lambda r: int(r.id),
            )
            page = candidates[:limit]
            body: dict[str, Any] = {
                "results": [self._render(kind, r, names, associations) for r in page]
            }
            if len(candidates) > limit:
                next_after = str(int(candidates[limit].id))
                body["paging"] = {
                    "next": {
                        "after": next_after,
                        "link": f"{self.base_url}/crm/v3/objects/{kind}?after={next_after}",
                    }
                }
        return json_response(200, body)

    @staticmethod
    def _int(value: Any, default: int, name: str) -> int:
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _validation(f"{name} must be an integer: {value}") from None

    def _batch(
        self, request: StandInRequest, scopes: list[str], kind: str, action: str
    ) -> StandInResponse:
        body = self._body(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            raise _validation("Invalid input JSON: inputs is required")
        if len(inputs) > 100:
            raise _validation(f"Batch input must not exceed 100 inputs; got {len(inputs)}")
        started = format_ms(self._now_ms())
        name = SINGULAR[kind].upper()
        if action == "read":
            self._require(scopes, f"crm.objects.{kind}.read")
            if body.get("idProperty") not in (None, "hs_object_id"):
                raise _validation("idProperty lookups are not supported by this stand-in")
            archived = bool(body.get("archived"))
            results, missing = [], []
            with self._lock:
                for item in inputs:
                    record = self._records[kind].get(str((item or {}).get("id")))
                    if record is None or record.archived != archived:
                        missing.append(str((item or {}).get("id")))
                        continue
                    results.append(self._render(kind, record, body.get("properties")))
            answer: dict[str, Any] = {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": format_ms(self._now_ms()),
            }
            if missing:
                answer.update(
                    numErrors=1,
                    errors=[
                        {
                            "status": "error",
                            "category": "OBJECT_NOT_FOUND",
                            "message": f"Could not get some {name} objects, they may be deleted or not "
                            "exist. Check that ids are valid.",
                            "context": {"ids": missing},
                            "links": {},
                            "errors": [],
                        }
                    ],
                )
                return json_response(207, answer)
            return json_response(200, answer)
        self._require(scopes, f"crm.objects.{kind}.write")
        with self._lock:
            if action == "create":
                # HubSpot validates the whole batch first: one bad input fails the request.
                for item in inputs:
                    self._check(kind, (item or {}).get("properties") or {}, creating=True)
                    self._check_associations(kind, (item or {}).get("associations"))
                records = [
                    self._create(kind, item.get("properties"), item.get("associations"))
                    for item in inputs
                ]
                return json_response(
                    201,
                    {
                        "status": "COMPLETE",
                        "startedAt": started,
                        "completedAt": format_ms(self._now_ms()),
                        "results": [
                            self._render(kind, r, None)
                            | {
                                "properties": {
                                    k: v for k, v in r.properties.items() if v is not None
                                }
                            }
                            for r in records
                        ],
                    },
                )
            if action == "update":
                for item in inputs:
                    self._live(kind, str((item or {}).get("id")))
                    self._check(kind, (item or {}).get("properties") or {}, creating=False)
                records = [self._update(kind, str(i["id"]), i.get("properties")) for i in inputs]
                return json_response(
                    200,
                    {
                        "status": "COMPLETE",
                        "startedAt": started,
                        "completedAt": format_ms(self._now_ms()),
                        "results": [
                            self._render(kind, r, None)
                            | {
                                "properties": {
                                    k: v for k, v in r.properties.items() if v is not None
                                }
                            }
                            for r in records
                        ],
                    },
                )
            if action == "archive":
                for item in inputs:
                    record = self._records[kind].get(str((item or {}).get("id")))
                    if record is not None and not record.archived:
                        self._archive(kind, record.id)
                return no_content()
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"No batch action {action}")

    # -- search

    def _search(self, request: StandInRequest, kind: str) -> StandInResponse:
        token = request.bearer() or ""
        if self.search_rate_limit is not None:
            with self._lock:
                now = time.monotonic()
                times = self._search_times.setdefault(token, deque())
                while times and now - times[0] >= 1.0:
                    times.popleft()
                if len(times) >= self.search_rate_limit:
                    headers = (
                        {"Retry-After": self.search_retry_after} if self.search_retry_after else {}
                    )
                    return json_response(429, self.fault_body(429), headers)
                times.append(now)
        body = self._body(request)
        limit = self._int(body.get("limit"), 10, "limit")
        if not 0 <= limit <= 200:
            raise _validation("There was a problem with the request: limit must be at most 200.")
        after = self._int(body.get("after"), 0, "after")
        if self.search_result_cap is not None and after >= self.search_result_cap:
            raise _validation(
                "There was a problem with the request: a search can page through at most "
                f"{self.search_result_cap} results; narrow the query (say on hs_lastmodifieddate) "
                "and start again."
            )
        definitions = self.properties[kind]
        predicate = self._filters(kind, body.get("filterGroups") or [])
        text = (body.get("query") or "").strip().lower()
        sorts = self._sorts(kind, body.get("sorts") or [])
        names = body.get("properties") or None
        if names is not None and not isinstance(names, list):
            raise _validation("properties must be a list of property names")
        with self._lock:
            rows = [r for r in self._records[kind].values() if not r.archived and predicate(r)]
            if text:
                fields = SEARCH_TEXT[kind]
                rows = [
                    r
                    for r in rows
                    if any(text in (r.properties.get(f) or "").lower() for f in fields)
                ]
            rows.sort(key=lambda r: int(r.id))
            for name, descending in reversed(sorts):
                rows = self._sort(rows, definitions[name], descending)
            page = rows[after : after + limit]
            answer: dict[str, Any] = {
                "total": len(rows),
                "results": [self._render(kind, r, names) for r in page],
            }
            if after + limit < len(rows):
                answer["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(200, answer)

    def _typed(self, definition: HsProperty, value: Any) -> Any:
        """A stored or filter value as search compares it (None when it isn't one)."""
        if value is None or value == "":
            return None
        if definition.type == "number":
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
        if definition.type in ("datetime", "date"):
            return parse_ms(value)
        return str(value).lower()

    def _filters(self, kind: str, groups: Any) -> Callable[[_Record], bool]:
        if not isinstance(groups, list):
            raise _validation("filterGroups must be a list")
        if len(groups) > 5:
            raise _validation(
                "There was a problem with the request: at most 5 filterGroups are allowed."
            )
        if sum(len((g or {}).get("filters") or []) for g in groups) > 18:
            raise _validation(
                "There was a problem with the request: at most 18 filters are allowed in total."
            )
        compiled: list[list[Callable[[_Record], bool]]] = []
        for group in groups:
            filters = (group or {}).get("filters") or []
            if len(filters) > 6:
                raise _validation(
                    "There was a problem with the request: at most 6 filters are "
                    "allowed in a filterGroup."
                )
            compiled.append([self._filter(kind, f or {}) for f in filters])
        if not compiled:
            return lambda record: True
        return lambda record: any(all(f(record) for f in group) for group in compiled)

    def _filter(self, kind: str, spec: dict[str, Any]) -> Callable[[_Record], bool]:
        name = spec.get("propertyName")
        operator = spec.get("operator", "EQ")
        definition = self.properties[kind].get(name or "")
        if definition is None:
            raise _validation(
                f"There was a problem with the request: unknown property {name} "
                f"for {SINGULAR[kind]}."
            )
        if operator not in OPERATORS:
            raise _validation(f"There was a problem with the request: unknown operator {operator}.")
        typed = self._typed

        def current(record: _Record) -> Any:
            return typed(definition, record.properties.get(definition.name))

        if operator == "HAS_PROPERTY":
            return lambda record: current(record) is not None
        if operator == "NOT_HAS_PROPERTY":
            return lambda record: current(record) is None
        if operator in ("IN", "NOT_IN"):
            values = spec.get("values")
            if not isinstance(values, list):
                raise _validation(f"{operator} needs a values list")
            wanted = {typed(definition, v) for v in values}
            if operator == "IN":
                return lambda record: current(record) in wanted
            return lambda record: current(record) not in wanted
        value = typed(definition, spec.get("value"))
        if value is None:
            raise _validation(
                f"There was a problem with the request: {operator} on {name} needs a value."
            )
        if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            pattern = re.compile(
                "^" + ".*".join(re.escape(p) for p in str(value).split("*")) + "$", re.I
            )

            def contains(record: _Record) -> bool:
                text = str(record.properties.get(definition.name) or "")
                return bool(pattern.match(text)) or any(
                    pattern.match(t) for t in re.split(r"\W+", text)
                )

            if operator == "CONTAINS_TOKEN":
                return contains
            return lambda record: not contains(record)
        if operator == "BETWEEN":
            high = typed(definition, spec.get("highValue"))
            if high is None:
                raise _validation("BETWEEN needs a highValue")
            return lambda record: (v := current(record)) is not None and value <= v <= high
        checks: dict[str, Callable[[Any], bool]] = {
            "EQ": lambda v: v == value,
            "NEQ": lambda v: v != value,
            "LT": lambda v: v < value,
            "LTE": lambda v: v <= value,
            "GT": lambda v: v > value,
            "GTE": lambda v: v >= value,
        }
        check = checks[operator]

        def compare(record: _Record) -> bool:
            v = current(record)
            if v is None:
                return operator == "NEQ"
            try:
                return check(v)
            except TypeError:
                return False

        return compare

    def _sorts(self, kind: str, sorts: Any) -> list[tuple[str, bool]]:
        if not isinstance(sorts, list):
            raise _validation("sorts must be a list")
        out = []
        for item in sorts:
            if isinstance(item, str):
                name, descending = item.lstrip("-"), item.startswith("-")
            elif isinstance(item, dict):
                name = item.get("propertyName") or ""
                descending = str(item.get("direction", "ASCENDING")).upper() == "DESCENDING"
            else:
                raise _validation("sorts must be property names or {propertyName, direction}")
            if name not in self.properties[kind]:
                raise _validation(
                    f"There was a problem with the request: unknown sort property {name}."
                )
            out.append((name, descending))
        return out

    def _sort(self, rows: list[_Record], definition: HsProperty, descending: bool) -> list[_Record]:
        keys = [self._typed(definition, r.properties.get(definition.name)) for r in rows]
        present = [i for i, k in enumerate(keys) if k is not None]
        missing = [i for i, k in enumerate(keys) if k is None]
        try:
            present.sort(key=keys.__getitem__, reverse=descending)
        except TypeError:
            present.sort(key=lambda i: str(keys[i]), reverse=descending)
        return [rows[i] for i in present + missing]

    # -- v4 associations

    def _assoc_types(self, types: set[int]) -> list[dict[str, Any]]:
        return [
            {"category": "HUBSPOT_DEFINED", "typeId": t, "label": TYPE_LABELS[t]}
            for t in sorted(types, key=lambda t: (t not in PRIMARY.values(), t))
        ]

    def _v4_batch_read(
        self, request: StandInRequest, scopes: list[str], from_type: str, to_type: str
    ) -> StandInResponse:
        self._require(scopes, f"crm.objects.{from_type}.read", f"crm.objects.{to_type}.read")
        body = self._body(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            raise _validation("Invalid input JSON: inputs is required")
        if len(inputs) > 1000:
            raise _validation("Batch input must not exceed 1000 inputs")
        started = format_ms(self._now_ms())
        results, errors = [], []
        with self._lock:
            for item in inputs:
                from_id = str((item or {}).get("id"))
                linked = self._linked(from_type, from_id, to_type)
                if not linked:
                    errors.append(
                        {
                            "status": "error",
                            "category": "OBJECT_NOT_FOUND",
                            "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                            "message": f"No {SINGULAR[to_type]} is associated with "
                            f"{SINGULAR[from_type]} {from_id}.",
                            "context": {
                                "fromObjectId": [from_id],
                                "toObjectType": [SINGULAR[to_type]],
                            },
                            "links": {},
                            "errors": [],
                        }
                    )
                    continue
                results.append(
                    {
                        "from": {"id": from_id},
                        "to": [
                            {"toObjectId": int(to_id), "associationTypes": self._assoc_types(types)}
                            for to_id, types in linked
                        ],
                    }
                )
        answer: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": format_ms(self._now_ms()),
        }
        if errors:
            answer.update(numErrors=len(errors), errors=errors)
            return json_response(207, answer)
        return json_response(200, answer)

    def _v4_object(
        self,
        request: StandInRequest,
        scopes: list[str],
        from_type: str,
        from_id: str,
        parts: list[str],
    ) -> StandInResponse:
        method = request.method
        if parts and parts[0] == "default" and len(parts) == 3 and method == "PUT":
            to_type, to_id = self._type(parts[1]), parts[2]
            self._require(scopes, f"crm.objects.{from_type}.write", f"crm.objects.{to_type}.write")
            with self._lock:
                self._live(from_type, from_id)
                self._live(to_type, to_id)
                type_id = UNLABELED.get((from_type, to_type))
                if type_id is None:
                    raise _validation(f"{from_type} cannot be associated with {to_type}")
                self._link(from_type, from_id, to_type, to_id, {type_id})
            now = format_ms(self._now_ms())
            return json_response(
                200,
                {
                    "status": "COMPLETE",
                    "startedAt": now,
                    "completedAt": now,
                    "results": [
                        {
                            "from": {"id": from_id},
                            "to": {"id": to_id},
                            "associationSpec": {
                                "associationCategory": "HUBSPOT_DEFINED",
                                "associationTypeId": type_id,
                            },
                        }
                    ],
                },
            )
        if len(parts) == 1 and method == "GET":
            to_type = self._type(parts[0])
            self._require(scopes, f"crm.objects.{from_type}.read", f"crm.objects.{to_type}.read")
            with self._lock:
                self._live(from_type, from_id)
                linked = self._linked(from_type, from_id, to_type)
            return json_response(
                200,
                {
                    "results": [
                        {"toObjectId": int(to_id), "associationTypes": self._assoc_types(types)}
                        for to_id, types in linked
                    ]
                },
            )
        if len(parts) == 2 and method == "PUT":
            to_type, to_id = self._type(parts[0]), parts[1]
            self._require(scopes, f"crm.objects.{from_type}.write", f"crm.objects.{to_type}.write")
            specs = request.json() if request.body else None
            if not isinstance(specs, list) or not specs:
                raise _validation("Invalid input JSON: a list of association specs is required")
            links = self._check_associations(from_type, [{"to": {"id": to_id}, "types": specs}])
            with self._lock:
                self._live(from_type, from_id)
                for link_type, link_id, types in links:
                    self._link(from_type, from_id, link_type, link_id, types)
                types = self._links[(from_type, from_id)][(to_type, to_id)]
            return json_response(
                200,
                {
                    "fromObjectTypeId": OBJECT_TYPE_IDS[from_type],
                    "fromObjectId": int(from_id),
                    "toObjectTypeId": OBJECT_TYPE_IDS[to_type],
                    "toObjectId": int(to_id),
                    "labels": [TYPE_LABELS[t] for t in sorted(types) if TYPE_LABELS[t]],
                },
            )
        if len(parts) == 2 and method == "DELETE":
            to_type, to_id = self._type(parts[0]), parts[1]
            self._require(scopes, f"crm.objects.{from_type}.write", f"crm.objects.{to_type}.write")
            with self._lock:
                self._unlink(from_type, from_id, to_type, to_id)
            return no_content()
        raise HubSpotError(404, "OBJECT_NOT_FOUND", "No such association resource")

"""A Salesforce stand-in for the CRM connector's tests and benchmark: an in-memory org speaking the
REST API's documented request and response shapes over HTTPS on a loopback port.

What it serves (any `vNN.N` API version in the path):

- OAuth 2.0 web-server flow with PKCE (`/services/oauth2/authorize`, `/token`, `/revoke`,
  `/userinfo`, the identity URL `/id/00D…/005…`), auto-approving the browser step.
- REST: versions, describeGlobal, sObject describe, record create/read/update/delete, Get Deleted
  and Get Updated, sObject Collections (retrieve, create, update, delete), `/limits`, and SOQL
  through `query`/`queryAll` with query locators (`nextRecordsUrl`, `Sforce-Query-Options:
  batchSize=N`).
- Bulk API 2.0 query jobs (`/jobs/query`) with CSV results paged by `maxRecords`/`locator`.

The org holds Account, Opportunity and User (minimal, for OwnerId) with a multi-currency field
set and custom fields (`Tier__c`, `Partner_Notes__c`, `Deal_Size__c`). Records are stored
copy-on-write, so a query locator or bulk job keeps the snapshot it was opened on, as a real
cursor does. `SystemModstamp` is strictly increasing across the org's writes (ms precision).

Limits, as Salesforce reports them: every REST answer carries `Sforce-Limit-Info:
api-usage=N/LIMIT`; once the org's daily allocation (`daily_api_limit`, 15,000 by default) is
used up, REST requests answer 403 `[{"errorCode": "REQUEST_LIMIT_EXCEEDED"}]` — that is
Salesforce's answer for the daily limit (it does not use 429). Use `set_api_usage()` to get there
quickly and `fail_next(429|500|503|401)` for transient faults.

The SOQL understood is what a connector issues: `SELECT f, Parent.f, … | COUNT() FROM Obj [WHERE
…] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`, with conditions on
fields (=, !=, <>, <, <=, >, >=, LIKE, IN, NOT IN, NOT, AND/OR with parentheses — mixing AND and
OR without parentheses is refused, as SOQL refuses it) against datetime, date, string, number,
true/false and null literals, each checked against the field's type as Salesforce checks it.
"""

from __future__ import annotations

import base64
import calendar
import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import random
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.crm.tls import (
    StandInRequest,
    StandInResponse,
    StandInServer,
    json_response,
    no_content,
)

# -- ids -------------------------------------------------------------------------------------

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$")


def _id_suffix(id15: str) -> str:
    """The three characters Salesforce appends to a 15-character id so that it survives
    case-insensitive systems: one per five characters, a bit per upper-case letter."""
    out = []
    for chunk in range(3):
        bits = 0
        for position in range(5):
            if "A" <= id15[chunk * 5 + position] <= "Z":
                bits |= 1 << position
        out.append(_SUFFIX[bits])
    return "".join(out)


def to_id18(value: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None if it isn't one."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        return None
    if len(value) == 18:
        return value[:15] + _id_suffix(value[:15])
    return value + _id_suffix(value)


def _make_id(prefix: str, number: int) -> str:
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    # prefix + "Dn0" (a pod-looking segment) + a base-62 counter: ids sort in creation order.
    id15 = prefix + "Dn0" + "".join(reversed(digits))
    return id15 + _id_suffix(id15)


# -- time ------------------------------------------------------------------------------------

_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_datetime(ms: int) -> str:
    """Salesforce's REST datetime form, `2026-12-07T10:00:00.000+0000`."""
    seconds, millis = divmod(ms, 1000)
    t = time.gmtime(seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{millis:03d}+0000"
    )


def parse_datetime(text: str) -> int | None:
    """Epoch milliseconds of an ISO 8601 datetime (`Z`, `+0000` or `+00:00`; no zone is UTC)."""
    match = _DATETIME_RE.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    ms = calendar.timegm(moment.timetuple()) * 1000 + int((fraction or "0").ljust(3, "0")[:3])
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return ms


def _valid_date(text: Any) -> bool:
    if not isinstance(text, str) or not _DATE_RE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


# -- the schema ------------------------------------------------------------------------------

_STRINGISH = {"id", "string", "textarea", "picklist", "reference", "url", "email"}
_NUMERIC = {"double", "currency", "percent", "int"}
_CASELESS = {"string", "textarea", "picklist", "url", "email"}
_SOAP_TYPE = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "string": "xsd:string",
    "textarea": "xsd:string",
    "picklist": "xsd:string",
    "url": "xsd:string",
    "email": "xsd:string",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "boolean": "xsd:boolean",
}


@dataclass(frozen=True)
class SfField:
    """One field of an sObject, with what its describe says and what writes must respect."""

    name: str
    label: str
    type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    digits: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    defaulted_on_create: bool = False
    calculated: bool = False
    name_field: bool = False
    picklist: tuple[tuple[str, str], ...] = ()
    picklist_default: str | None = None
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None

    @property
    def filterable(self) -> bool:
        # Long text areas can be neither filtered nor sorted in SOQL.
        return not (self.type == "textarea" and self.length > 255)

    @property
    def required(self) -> bool:
        return not self.nillable and self.createable and not self.defaulted_on_create

    def describe(self) -> dict[str, Any]:
        byte_length = self.length * 3 if self.type in _STRINGISH else 0
        if self.type in ("id", "reference"):
            byte_length = 18
        return {
            "aggregatable": self.filterable,
            "autoNumber": False,
            "byteLength": byte_length,
            "calculated": self.calculated,
            "calculatedFormula": None,
            "cascadeDelete": False,
            "caseSensitive": False,
            "compoundFieldName": None,
            "controllerName": None,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": None,
            "defaultValueFormula": None,
            "defaultedOnCreate": self.defaulted_on_create,
            "dependentPicklist": False,
            "deprecatedAndHidden": False,
            "digits": self.digits,
            "displayLocationInDecimal": False,
            "encrypted": False,
            "externalId": False,
            "extraTypeInfo": "plaintextarea" if self.type == "textarea" else None,
            "filterable": self.filterable,
            "filteredLookupInfo": None,
            "groupable": self.filterable and self.type not in ("double", "currency", "percent"),
            "highScaleNumber": False,
            "htmlFormatted": False,
            "idLookup": self.type == "id",
            "inlineHelpText": None,
            "label": self.label,
            "length": self.length,
            "mask": None,
            "maskType": None,
            "name": self.name,
            "nameField": self.name_field,
            "namePointing": False,
            "nillable": self.nillable,
            "permissionable": self.nillable and self.createable,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": value == self.picklist_default,
                    "label": label,
                    "validFor": None,
                    "value": value,
                }
                for value, label in self.picklist
            ],
            "polymorphicForeignKey": False,
            "precision": self.precision,
            "queryByDistance": False,
            "referenceTargetField": None,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "relationshipOrder": None,
            "restrictedDelete": False,
            "restrictedPicklist": self.restricted,
            "scale": self.scale,
            "searchPrefilterable": False,
            "soapType": _SOAP_TYPE[self.type],
            "sortable": self.filterable,
            "type": self.type,
            "unique": False,
            "updateable": self.updateable,
            "writeRequiresMasterRead": False,
        }


@dataclass
class SObjectType:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, SfField]
    by_lower: dict[str, SfField] = field(default_factory=dict)
    relationships: dict[str, SfField] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_lower = {name.lower(): f for name, f in self.fields.items()}
        self.relationships = {
            f.relationship_name.lower(): f for f in self.fields.values() if f.relationship_name
        }


def _values(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((v, v) for v in values)


INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit",
    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities", "Other",
)  # fmt: skip
STAGES = (
    ("Prospecting", 10), ("Qualification", 10), ("Needs Analysis", 20),
    ("Value Proposition", 50), ("Id. Decision Makers", 60), ("Perception Analysis", 70),
    ("Proposal/Price Quote", 75), ("Negotiation/Review", 90), ("Closed Won", 100),
    ("Closed Lost", 0),
)  # fmt: skip
STAGE_PROBABILITY = dict(STAGES)
CURRENCIES = (("USD", "U.S. Dollar"), ("EUR", "Euro"), ("GBP", "British Pound"))
TIERS = ("Platinum", "Gold", "Silver", "Registered")


def _audit_fields() -> list[SfField]:
    return [
        SfField("CreatedDate", "Created Date", "datetime", nillable=False, createable=False,
                updateable=False, defaulted_on_create=True),
        SfField("CreatedById", "Created By ID", "reference", 18, nillable=False,
                createable=False, updateable=False, defaulted_on_create=True,
                reference_to=("User",), relationship_name="CreatedBy"),
        SfField("LastModifiedDate", "Last Modified Date", "datetime", nillable=False,
                createable=False, updateable=False, defaulted_on_create=True),
        SfField("LastModifiedById", "Last Modified By ID", "reference", 18, nillable=False,
                createable=False, updateable=False, defaulted_on_create=True,
                reference_to=("User",), relationship_name="LastModifiedBy"),
        SfField("SystemModstamp", "System Modstamp", "datetime", nillable=False,
                createable=False, updateable=False, defaulted_on_create=True),
    ]  # fmt: skip


def _currency_field() -> SfField:
    return SfField("CurrencyIsoCode", "Currency ISO Code", "picklist", 3, nillable=False,
                   defaulted_on_create=True, picklist=CURRENCIES, picklist_default="USD",
                   restricted=True)  # fmt: skip


def _owner_field() -> SfField:
    return SfField("OwnerId", "Owner ID", "reference", 18, nillable=False,
                   defaulted_on_create=True, reference_to=("User",),
                   relationship_name="Owner")  # fmt: skip


def _id_field(label: str) -> SfField:
    return SfField("Id", label, "id", 18, nillable=False, createable=False, updateable=False,
                   defaulted_on_create=True)  # fmt: skip


def _deleted_field() -> SfField:
    return SfField("IsDeleted", "Deleted", "boolean", nillable=False, createable=False,
                   updateable=False, defaulted_on_create=True)  # fmt: skip


def build_schema() -> dict[str, SObjectType]:
    account = [
        _id_field("Account ID"),
        _deleted_field(),
        SfField("Name", "Account Name", "string", 255, nillable=False, name_field=True),
        SfField("Website", "Website", "url", 255),
        SfField("Industry", "Industry", "picklist", 255, picklist=_values(*INDUSTRIES)),
        SfField("BillingCountry", "Billing Country", "string", 80),
        SfField("NumberOfEmployees", "Employees", "int", digits=8),
        SfField("AnnualRevenue", "Annual Revenue", "currency", precision=18, scale=0),
        SfField("Description", "Account Description", "textarea", 32000),
        _currency_field(),
        _owner_field(),
        *_audit_fields(),
        SfField("Tier__c", "Partner Tier", "picklist", 255, custom=True,
                picklist=_values(*TIERS), restricted=True),
    ]  # fmt: skip
    opportunity = [
        _id_field("Opportunity ID"),
        _deleted_field(),
        SfField("AccountId", "Account ID", "reference", 18, reference_to=("Account",),
                relationship_name="Account"),
        SfField("Name", "Name", "string", 120, nillable=False, name_field=True),
        SfField("Description", "Description", "textarea", 32000),
        SfField("StageName", "Stage", "picklist", 255, nillable=False,
                picklist=_values(*(stage for stage, _ in STAGES)), restricted=True),
        SfField("Amount", "Amount", "currency", precision=18, scale=2),
        SfField("Probability", "Probability (%)", "percent", precision=3, scale=0),
        SfField("CloseDate", "Close Date", "date", nillable=False),
        SfField("NextStep", "Next Step", "string", 255),
        SfField("IsClosed", "Closed", "boolean", nillable=False, createable=False,
                updateable=False, defaulted_on_create=True, calculated=True),
        SfField("IsWon", "Won", "boolean", nillable=False, createable=False,
                updateable=False, defaulted_on_create=True, calculated=True),
        _currency_field(),
        _owner_field(),
        *_audit_fields(),
        SfField("Partner_Notes__c", "Partner Notes", "textarea", 32768, custom=True),
        SfField("Deal_Size__c", "Deal Size", "double", precision=18, scale=2, custom=True),
    ]  # fmt: skip
    user = [
        _id_field("User ID"),
        SfField("Username", "Username", "string", 80, nillable=False),
        SfField("FirstName", "First Name", "string", 40),
        SfField("LastName", "Last Name", "string", 80, nillable=False),
        SfField("Name", "Full Name", "string", 121, createable=False, updateable=False,
                name_field=True, calculated=True),
        SfField("Email", "Email", "email", 128, nillable=False),
        SfField("IsActive", "Active", "boolean", nillable=False, defaulted_on_create=True),
        *_audit_fields(),
    ]  # fmt: skip
    return {
        "Account": SObjectType("Account", "Account", "Accounts", "001",
                               {f.name: f for f in account}),
        "Opportunity": SObjectType("Opportunity", "Opportunity", "Opportunities", "006",
                                   {f.name: f for f in opportunity}),
        "User": SObjectType("User", "User", "Users", "005", {f.name: f for f in user}),
    }  # fmt: skip


API_VERSIONS = (
    ("58.0", "Summer '23"), ("59.0", "Winter '24"), ("60.0", "Spring '24"),
    ("61.0", "Summer '24"), ("62.0", "Winter '25"), ("63.0", "Spring '25"),
    ("64.0", "Summer '25"), ("65.0", "Winter '26"), ("66.0", "Spring '26"),
    ("67.0", "Summer '26"),
)  # fmt: skip


# -- errors ----------------------------------------------------------------------------------


class SalesforceError(Exception):
    """An answer Salesforce gives as `[{"message", "errorCode", "fields"?}]`."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.errors = [_error(code, message, fields)]

    @classmethod
    def of(cls, status: int, errors: list[dict[str, Any]]) -> SalesforceError:
        error = cls(status, errors[0]["errorCode"], errors[0]["message"])
        error.errors = errors
        return error


def _error(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        error["fields"] = fields
    return error


def _not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")


# -- SOQL ------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*')
     |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))
     |(?P<date>\d{4}-\d{2}-\d{2})(?![\dT])
     |(?P<number>[+-]?\d+(?:\.\d+)?)
     |(?P<op><=|>=|!=|<>|=|<|>)
     |(?P<punct>[(),])
     |(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::\d+)?)
    )""",
    re.X,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
_KEYWORDS = {
    "select",
    "from",
    "where",
    "order",
    "by",
    "limit",
    "offset",
    "and",
    "or",
    "not",
    "in",
    "like",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "null",
    "group",
    "having",
    "with",
    "for",
    "using",
}


@dataclass
class _Token:
    kind: str
    text: str
    column: int


def _tokenize(soql: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(soql):
        if soql[position:].strip() == "":
            break
        match = _TOKEN_RE.match(soql, position)
        if not match or match.end() == position:
            bad = soql[position:].strip()[:1]
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{bad}'")
        kind = match.lastgroup or ""
        text = match.group(kind)
        tokens.append(_Token(kind, text, match.start(kind) + 1))
        position = match.end()
    return tokens


def _unquote(text: str) -> str:
    body = text[1:-1]
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


@dataclass
class FieldPath:
    """A selected or filtered field: `relationships` walked from the queried object, then
    `field` on the object they end at; `text` as the query named it, canonicalised."""

    text: str
    relationships: list[SfField]
    field: SfField


@dataclass
class Query:
    object: SObjectType
    fields: list[FieldPath]
    count_only: bool
    where: Callable[[dict[str, Any]], bool] | None
    order: list[tuple[FieldPath, bool, bool]]
    limit: int | None
    offset: int


class _Parser:
    def __init__(self, soql: str, schema: dict[str, SObjectType], org: SalesforceStandIn) -> None:
        self.soql = soql
        self.tokens = _tokenize(soql)
        self.position = 0
        self.schema = schema
        self.org = org
        self.object: SObjectType | None = None

    # token helpers
    def peek(self, offset: int = 0) -> _Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SalesforceError(400, "MALFORMED_QUERY", "unexpected token: <EOF>")
        self.position += 1
        return token

    def is_word(self, *words: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "word" and token.text.lower() in words

    def expect_word(self, word: str) -> None:
        token = self.next()
        if token.kind != "word" or token.text.lower() != word:
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'")

    def expect_punct(self, char: str) -> None:
        token = self.next()
        if token.kind != "punct" or token.text != char:
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'")

    def no_column(self, token: _Token, entity: str) -> SalesforceError:
        caret = " " * (token.column - 1) + "^"
        return SalesforceError(
            400,
            "INVALID_FIELD",
            f"\n{self.soql}\n{caret}\nERROR at Row:1:Column:{token.column}\n"
            f"No such column '{token.text.split('.')[-1]}' on entity '{entity}'. If you are "
            "attempting to use a custom field, be sure to append the '__c' after the custom "
            "field name. Please reference your WSDL or the describe call for the appropriate "
            "names.",
        )

    # grammar
    def parse(self) -> Query:
        self.expect_word("select")
        raw_fields: list[_Token] = []
        count_only = False
        if self.is_word("count") and (p := self.peek(1)) and p.text == "(":
            self.next()
            self.expect_punct("(")
            if (p := self.peek()) and p.text != ")":
                raise SalesforceError(
                    400,
                    "MALFORMED_QUERY",
                    "Aggregate functions other than COUNT() are not supported by this stand-in",
                )
            self.expect_punct(")")
            count_only = True
        else:
            while True:
                token = self.next()
                if token.kind != "word" or token.text.lower() in _KEYWORDS:
                    raise SalesforceError(
                        400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'"
                    )
                if (p := self.peek()) and p.text == "(":
                    raise SalesforceError(
                        400,
                        "MALFORMED_QUERY",
                        "Aggregate functions other than COUNT() are not supported by this stand-in",
                    )
                raw_fields.append(token)
                if (p := self.peek()) and p.kind == "punct" and p.text == ",":
                    self.next()
                    continue
                break
        self.expect_word("from")
        name = self.next()
        sobject = next(
            (o for o in self.schema.values() if o.name.lower() == name.text.lower()), None
        )
        if name.kind != "word" or sobject is None:
            raise SalesforceError(
                400,
                "INVALID_TYPE",
                f"\n{self.soql}\n{' ' * (name.column - 1)}^\nERROR at Row:1:Column:{name.column}\n"
                f"sObject type '{name.text}' is not supported. If you are attempting to use a "
                "custom object, be sure to append the '__c' after the entity name. Please "
                "reference your WSDL or the describe call for the appropriate names.",
            )
        self.object = sobject
        fields: list[FieldPath] = []
        seen: set[str] = set()
        for token in raw_fields:
            path = self.field_path(token)
            if path.text.lower() in seen:
                raise SalesforceError(
                    400, "MALFORMED_QUERY", f"duplicate field selected: {path.text}"
                )
            seen.add(path.text.lower())
            fields.append(path)
        where = None
        if self.is_word("where"):
            self.next()
            where = self.condition()
        order: list[tuple[FieldPath, bool, bool]] = []
        if self.is_word("order"):
            self.next()
            self.expect_word("by")
            while True:
                token = self.next()
                path = self.field_path(token)
                if not path.field.filterable:
                    raise SalesforceError(
                        400,
                        "INVALID_FIELD",
                        f"field '{path.field.name}' can not be sorted in a query call",
                    )
                descending = False
                if self.is_word("asc", "desc"):
                    descending = self.next().text.lower() == "desc"
                nulls_first = not descending
                if self.is_word("nulls"):
                    self.next()
                    token = self.next()
                    if token.text.lower() not in ("first", "last"):
                        raise SalesforceError(
                            400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'"
                        )
                    nulls_first = token.text.lower() == "first"
                order.append((path, descending, nulls_first))
                if (p := self.peek()) and p.text == ",":
                    self.next()
                    continue
                break
        limit = None
        offset = 0
        if self.is_word("limit"):
            self.next()
            limit = self.integer()
        if self.is_word("offset"):
            self.next()
            offset = self.integer()
            if offset > 2000:
                raise SalesforceError(
                    400,
                    "NUMBER_OUTSIDE_VALID_RANGE",
                    "Maximum SOQL offset allowed is 2000",
                )
        if (token := self.peek()) is not None:
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        return Query(sobject, fields, count_only, where, order, limit, offset)

    def integer(self) -> int:
        token = self.next()
        if token.kind != "number" or not token.text.isdigit():
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        return int(token.text)

    def field_path(self, token: _Token) -> FieldPath:
        assert self.object is not None
        if token.kind != "word" or token.text.lower() in _KEYWORDS:
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{token.text}'")
        parts = token.text.split(".")
        current = self.object
        if len(parts) > 1 and parts[0].lower() == current.name.lower():
            parts = parts[1:]  # SELECT Opportunity.Name FROM Opportunity is allowed
        relationships: list[SfField] = []
        names: list[str] = []
        for part in parts[:-1]:
            relation = current.relationships.get(part.lower())
            if relation is None:
                raise SalesforceError(
                    400,
                    "INVALID_FIELD",
                    f"\n{self.soql}\n{' ' * (token.column - 1)}^\nERROR at Row:1:Column:"
                    f"{token.column}\nDidn't understand relationship '{part}' in field path. If "
                    "you are attempting to use a custom relationship, be sure to append the "
                    "'__r' after the custom relationship name. Please reference your WSDL or "
                    "the describe call for the appropriate names.",
                )
            relationships.append(relation)
            names.append(relation.relationship_name or "")
            current = self.schema[relation.reference_to[0]]
        final = current.by_lower.get(parts[-1].lower())
        if final is None:
            raise self.no_column(token, current.name)
        names.append(final.name)
        return FieldPath(".".join(names), relationships, final)

    def condition(self) -> Callable[[dict[str, Any]], bool]:
        terms = [self.unary()]
        joiner: str | None = None
        while self.is_word("and", "or"):
            word = self.next().text.lower()
            if joiner is not None and word != joiner:
                # SOQL demands parentheses when AND and OR meet at one level.
                raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{word.upper()}'")
            joiner = word
            terms.append(self.unary())
        if len(terms) == 1:
            return terms[0]
        if joiner == "and":
            return lambda record: all(term(record) for term in terms)
        return lambda record: any(term(record) for term in terms)

    def unary(self) -> Callable[[dict[str, Any]], bool]:
        if self.is_word("not"):
            self.next()
            inner = self.unary()
            return lambda record: not inner(record)
        if (p := self.peek()) and p.kind == "punct" and p.text == "(":
            self.next()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        return self.comparison()

    def comparison(self) -> Callable[[dict[str, Any]], bool]:
        token = self.next()
        path = self.field_path(token)
        fld = path.field
        if not fld.filterable:
            raise SalesforceError(
                400, "INVALID_FIELD", f"field '{fld.name}' can not be filtered in a query call"
            )
        getter = self.org._getter(path)
        negate = False
        if self.is_word("not") and self.is_word("in", offset=1):
            self.next()
            negate = True
        if self.is_word("in"):
            self.next()
            self.expect_punct("(")
            values = []
            while True:
                values.append(self.literal(fld))
                if (p := self.peek()) and p.text == ",":
                    self.next()
                    continue
                break
            self.expect_punct(")")
            wanted = {self.org._comparable(fld, v) for v in values}
            if negate:
                return lambda record: self.org._comparable(fld, getter(record)) not in wanted
            return lambda record: self.org._comparable(fld, getter(record)) in wanted
        if self.is_word("like"):
            self.next()
            value = self.literal(fld)
            if fld.type not in _STRINGISH or not isinstance(value, str):
                raise SalesforceError(
                    400,
                    "INVALID_FIELD",
                    f"invalid operator on {fld.type} field: LIKE",
                )
            pattern = re.compile(
                "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in value),
                re.I | re.S,
            )
            return lambda record: (
                isinstance(v := getter(record), str) and bool(pattern.fullmatch(v))
            )
        op = self.next()
        if op.kind != "op":
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{op.text}'")
        value = self.literal(fld)
        target = self.org._comparable(fld, value)
        operator = op.text
        if value is None:
            if operator == "=":
                return lambda record: getter(record) is None
            if operator in ("!=", "<>"):
                return lambda record: getter(record) is not None
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected token: '{operator}'")
        comparable = self.org._comparable

        def compare(record: dict[str, Any]) -> bool:
            current = comparable(fld, getter(record))
            if current is None:
                return operator in ("!=", "<>")
            try:
                if operator == "=":
                    return current == target
                if operator in ("!=", "<>"):
                    return current != target
                if operator == "<":
                    return current < target
                if operator == "<=":
                    return current <= target
                if operator == ">":
                    return current > target
                return current >= target
            except TypeError:  # a malformed stored value (put_raw): it matches nothing
                return False

        return compare

    def literal(self, fld: SfField) -> Any:
        token = self.next()
        kind = fld.type
        if token.kind == "word" and token.text.lower() == "null":
            return None
        expected = {
            "datetime": "dateTime",
            "date": "date",
            "double": "double",
            "currency": "double",
            "percent": "double",
            "int": "double",
            "boolean": "boolean",
        }.get(kind, "string")
        problem = SalesforceError(
            400,
            "INVALID_FIELD",
            f"\n{self.soql}\n{' ' * (token.column - 1)}^\nERROR at Row:1:Column:{token.column}\n"
            f"value of filter criterion for field '{fld.name}' must be of type {expected} and "
            + (
                "should be enclosed in quotes"
                if expected == "string"
                else "should not be enclosed in quotes"
            ),
        )
        if kind == "datetime":
            if token.kind != "datetime":
                raise problem
            ms = parse_datetime(token.text)
            if ms is None:
                raise problem
            return format_datetime(ms)
        if kind == "date":
            if token.kind != "date" or not _valid_date(token.text):
                raise problem
            return token.text
        if kind in _NUMERIC:
            if token.kind != "number":
                raise problem
            return float(token.text)
        if kind == "boolean":
            if token.kind != "word" or token.text.lower() not in ("true", "false"):
                raise problem
            return token.text.lower() == "true"
        if token.kind != "string":
            raise problem
        text = _unquote(token.text)
        if kind in ("id", "reference"):
            id18 = to_id18(text)
            if id18 is None:
                raise SalesforceError(
                    400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}"
                )
            return id18
        return text


# -- the stand-in ----------------------------------------------------------------------------


@dataclass
class _Cursor:
    rows: list[dict[str, Any]]
    query: Query
    user_id: str
    batch: int


@dataclass
class _BulkJob:
    id: str
    operation: str
    query: Query
    rows: list[dict[str, Any]]
    created_ms: int
    started: float
    api_version: str
    line_ending: str
    column_delimiter: str
    created_by: str
    state: str = "UploadComplete"


_DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
_VERSION_PATH = re.compile(r"^/services/data/v(\d{2,3}\.\d)(/.*)?$")


@dataclass
class SeededIds:
    users: list[str]
    accounts: list[str]
    opportunities: list[str]


class SalesforceStandIn(StandInServer):
    """An in-memory Salesforce org behind HTTPS on 127.0.0.1 (see the module docstring).

    Use as a context manager or with start()/stop(); `base_url` is both the login host and the
    org's `instance_url`.
    """

    name = "salesforce"

    def __init__(
        self,
        *,
        client_id: str = "3MVG9standin.consumer.key",
        client_secret: str = "standin-consumer-secret",
        port: int = 0,
        daily_api_limit: int = 15_000,
        bulk_job_seconds: float = 0.0,
        max_query_cursors: int = 10,
        username: str = "integration@northwind.example",
    ) -> None:
        super().__init__(port=port)
        self.client_id = client_id
        self.client_secret = client_secret
        self.daily_api_limit = daily_api_limit
        """The org's daily API request allocation; past it, REST answers 403."""
        self.bulk_job_seconds = bulk_job_seconds
        """How long a Bulk 2.0 query job stays InProgress before JobComplete."""
        self.max_query_cursors = max_query_cursors
        """Open query locators per user; opening one more releases the oldest (as Salesforce
        does with its 10-cursor limit)."""
        self.api_usage = 0
        self.schema = build_schema()
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.schema}
        self._deleted_log: dict[str, list[tuple[str, int]]] = {name: [] for name in self.schema}
        self._counters: dict[str, int] = {}
        self._clock_offset_ms = 0
        self._last_ms = 0
        self._created_ms = self._now_ms() - 30 * 86_400_000
        self.org_id = _make_id("00D", 0x5A11)
        self._codes: dict[str, dict[str, Any]] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self._refresh_tokens: dict[str, dict[str, Any]] = {}
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._jobs: dict[str, _BulkJob] = {}
        self._describe_cache: dict[tuple[str, str], bytes] = {}
        self.api_user_id = self._insert_user("Integration", "User", username, username, system=True)

    # -- clock

    def _now_ms(self) -> int:
        return int(time.time() * 1000) + self._clock_offset_ms

    def _tick(self) -> int:
        """The next SystemModstamp: now, or 1 ms after the last one when writes come faster."""
        with self._lock:
            self._last_ms = max(self._now_ms(), self._last_ms + 1)
            return self._last_ms

    def advance_clock(self, seconds: float) -> None:
        """Move the org's clock forward (timestamps of later writes, Get Deleted windows)."""
        with self._lock:
            self._clock_offset_ms += int(seconds * 1000)

    def now(self) -> str:
        """The org's current time in Salesforce's datetime form."""
        return format_datetime(self._now_ms())

    # -- ids

    def _new_id(self, sobject: str) -> str:
        prefix = self.schema[sobject].key_prefix if sobject in self.schema else sobject
        with self._lock:
            number = self._counters.get(prefix, 0x10000) + 1
            self._counters[prefix] = number
        return _make_id(prefix, number)

    # -- tokens (test helpers)

    def _issue(self, user_id: str, *, with_refresh: bool, scope: str) -> tuple[str, str | None]:
        access = f"{self.org_id[:15]}!AR{secrets.token_urlsafe(72)}"
        refresh = f"5Aep861{secrets.token_urlsafe(64)}" if with_refresh else None
        with self._lock:
            self._access_tokens[access] = {"user_id": user_id, "scope": scope}
            if refresh:
                self._refresh_tokens[refresh] = {"user_id": user_id, "scope": scope}
        return access, refresh

    def issue_tokens(self, scope: str = "api refresh_token") -> tuple[str, str]:
        """A valid (access token, refresh token) pair for the integration user, as the web-server
        flow would give, without the browser step."""
        access, refresh = self._issue(self.api_user_id, with_refresh=True, scope=scope)
        assert refresh is not None
        return access, refresh

    def token_for_tests(self) -> str:
        """A valid access token (no refresh token) for tests that only need an API session."""
        return self._issue(self.api_user_id, with_refresh=False, scope="api")[0]

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working: the API answers 401 INVALID_SESSION_ID
        until the client refreshes (refresh tokens still work)."""
        with self._lock:
            self._access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far is revoked: the token endpoint answers
        `invalid_grant` / `expired access/refresh token` (live access tokens keep working until
        they expire, as in Salesforce)."""
        with self._lock:
            self._refresh_tokens.clear()

    def set_api_usage(self, used: int, limit: int | None = None) -> None:
        """Set the org's API requests used today (and optionally its daily allocation)."""
        with self._lock:
            self.api_usage = used
            if limit is not None:
                self.daily_api_limit = limit

    # -- the record store (test helpers)

    def _insert_user(
        self, first: str, last: str, username: str, email: str, *, system: bool = False
    ) -> str:
        stamp = self._tick()
        user_id = self._new_id("User")
        creator = user_id if system else self.api_user_id
        record = {
            "Id": user_id,
            "Username": username,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}".strip(),
            "Email": email,
            "IsActive": True,
            "CreatedDate": format_datetime(stamp),
            "CreatedById": creator,
            "LastModifiedDate": format_datetime(stamp),
            "LastModifiedById": creator,
            "SystemModstamp": format_datetime(stamp),
        }
        with self._lock:
            self._records["User"][user_id] = record
        return user_id

    def _object(self, name: str) -> SObjectType:
        found = next((o for o in self.schema.values() if o.name.lower() == name.lower()), None)
        if found is None:
            raise _not_found()
        return found

    def create(self, obj: str, values: dict[str, Any]) -> str:
        """Insert a record as the API would (validated; raises SalesforceError if invalid)."""
        return self._create(self._object(obj), values, self.api_user_id)

    def update(self, obj: str, record_id: str, values: dict[str, Any]) -> None:
        """Update a record as a PATCH would (validated, new SystemModstamp)."""
        self._update(self._object(obj), record_id, values, self.api_user_id)

    def delete(self, obj: str, record_id: str) -> None:
        """Delete a record as the API would: IsDeleted, a new SystemModstamp, the delete log."""
        self._delete(self._object(obj), record_id, self.api_user_id)

    def undelete(self, obj: str, record_id: str) -> None:
        """Restore a deleted record from the recycle bin (a write: new SystemModstamp)."""
        sobject = self._object(obj)
        with self._lock:
            record = self._stored(sobject, record_id, allow_deleted=True)
            stamp = format_datetime(self._tick())
            self._put(
                sobject,
                {**record, "IsDeleted": False, "SystemModstamp": stamp, "LastModifiedDate": stamp},
            )

    def get(self, obj: str, record_id: str) -> dict[str, Any]:
        """A copy of the stored record (deleted ones too), or KeyError."""
        sobject = self._object(obj)
        with self._lock:
            record = self._records[sobject.name].get(to_id18(record_id) or record_id)
            if record is None:
                raise KeyError(record_id)
            return dict(record)

    def count(self, obj: str, *, include_deleted: bool = False) -> int:
        sobject = self._object(obj)
        with self._lock:
            records = self._records[sobject.name].values()
            return sum(1 for r in records if include_deleted or not r.get("IsDeleted"))

    def put_raw(self, obj: str, values: dict[str, Any]) -> str:
        """Store a record exactly as given, unvalidated (say Amount "abc" or CloseDate
        "31/12/2026"), to exercise a connector's handling of data the API would never produce;
        missing Id and audit fields are filled in."""
        sobject = self._object(obj)
        stamp = format_datetime(self._tick())
        record: dict[str, Any] = {name: None for name in sobject.fields}
        record.update(
            Id=self._new_id(sobject.name),
            IsDeleted=False,
            CurrencyIsoCode="USD" if "CurrencyIsoCode" in sobject.fields else None,
            OwnerId=self.api_user_id if "OwnerId" in sobject.fields else None,
            CreatedDate=stamp,
            CreatedById=self.api_user_id,
            LastModifiedDate=stamp,
            LastModifiedById=self.api_user_id,
            SystemModstamp=stamp,
        )
        record.update(values)
        record = {k: v for k, v in record.items() if k in sobject.fields or k in values}
        with self._lock:
            self._put(sobject, record)
        return record["Id"]

    def seed(
        self,
        accounts: int = 0,
        opportunities: int = 0,
        *,
        owners: int = 12,
        seed: int = 7,
        days: int = 30,
    ) -> SeededIds:
        """Fill the org with realistic records fast (120,000 in about two seconds): `owners`
        users, `accounts` accounts and `opportunities` opportunities, each on one of the accounts.
        Their timestamps are spread over the last `days` days, older than any later write."""
        rng = random.Random(seed)
        total = owners + accounts + opportunities
        now = self._now_ms()
        span = max(days * 86_400_000, total)
        # a record takes at most two stamps (created, then perhaps modified): none in the future
        step = span / max(2 * total, 1)
        start = now - span - 1000
        clock = [start]

        def stamp() -> int:
            clock[0] += step
            return int(clock[0])

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
        currency_of = {
            "Germany": "EUR",
            "France": "EUR",
            "Netherlands": "EUR",
            "Spain": "EUR",
            "United Kingdom": "GBP",
        }
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
            "Pied Piper",
            "Tyrell",
            "Cyberdyne",
            "Soylent",
            "Wonka",
            "Gringotts",
            "Oscorp",
            "Monarch",
            "Aperture",
        )
        suffixes = ("Inc.", "GmbH", "Ltd", "SA", "BV", "Corp.", "AG", "LLC", "Group", "Holdings")
        products = (
            "Platform",
            "Renewal",
            "Expansion",
            "Pilot",
            "Services",
            "Support",
            "Upgrade",
            "Licences",
            "Integration",
            "Rollout",
        )
        next_steps = (
            None,
            "Send proposal",
            "Schedule demo",
            "Legal review",
            "Pricing call",
            "Security questionnaire",
            "Executive sponsor meeting",
        )
        stages = [s for s, _ in STAGES]
        user = self.api_user_id

        owner_ids = []
        for i in range(owners):
            first, last = ("Alex", "Sam", "Jo", "Kim", "Ari", "Noa")[i % 6], f"Owner{i + 1:02d}"
            owner_ids.append(
                self._insert_user(
                    first,
                    last,
                    f"owner{i + 1}@northwind.example",
                    f"owner{i + 1}@northwind.example",
                )
            )
        owner_pool = owner_ids or [user]

        account_store: dict[str, dict[str, Any]] = {}
        account_ids: list[str] = []
        account_info: list[tuple[str, str]] = []
        base_account = self._reserve_ids("Account", accounts)
        for i in range(accounts):
            record_id = _make_id("001", base_account + i)
            country = countries[rng.randrange(len(countries))]
            name = (
                f"{words[rng.randrange(len(words))]} {words[rng.randrange(len(words))]} "
                f"{suffixes[rng.randrange(len(suffixes))]} #{i + 1}"
            )
            created = stamp()
            modified = stamp() if rng.random() < 0.3 else created
            created_text = format_datetime(created)
            modified_text = format_datetime(modified) if modified != created else created_text
            currency = currency_of.get(country, "USD")
            account_store[record_id] = {
                "Id": record_id,
                "IsDeleted": False,
                "Name": name,
                "Website": f"https://www.account{i + 1}.example",
                "Industry": INDUSTRIES[rng.randrange(len(INDUSTRIES))],
                "BillingCountry": country,
                "NumberOfEmployees": rng.randrange(5, 50_000),
                "AnnualRevenue": float(rng.randrange(1, 5000) * 100_000),
                "Description": None if rng.random() < 0.7 else f"Key account in {country}.",
                "CurrencyIsoCode": currency,
                "OwnerId": owner_pool[rng.randrange(len(owner_pool))],
                "CreatedDate": created_text,
                "CreatedById": user,
                "LastModifiedDate": modified_text,
                "LastModifiedById": user,
                "SystemModstamp": modified_text,
                "Tier__c": TIERS[rng.randrange(len(TIERS))] if rng.random() < 0.8 else None,
            }
            account_ids.append(record_id)
            account_info.append((name, currency))

        opportunity_store: dict[str, dict[str, Any]] = {}
        opportunity_ids: list[str] = []
        base_opportunity = self._reserve_ids("Opportunity", opportunities)
        for i in range(opportunities):
            record_id = _make_id("006", base_opportunity + i)
            if account_ids:
                index = rng.randrange(len(account_ids))
                account_id: str | None = account_ids[index]
                account_name, currency = account_info[index]
            else:
                account_id, account_name, currency = None, "Prospect", "USD"
            stage = stages[rng.randrange(len(stages))]
            created = stamp()
            text = format_datetime(created)
            opportunity_store[record_id] = {
                "Id": record_id,
                "IsDeleted": False,
                "AccountId": account_id,
                "Name": f"{account_name} - {products[rng.randrange(len(products))]}",
                "Description": None,
                "StageName": stage,
                "Amount": float(rng.randrange(5, 2000) * 500),
                "Probability": float(STAGE_PROBABILITY[stage]),
                "CloseDate": (
                    f"{rng.choice((2026, 2027))}-{rng.randrange(1, 13):02d}-"
                    f"{rng.randrange(1, 29):02d}"
                ),
                "NextStep": next_steps[rng.randrange(len(next_steps))],
                "IsClosed": stage.startswith("Closed"),
                "IsWon": stage == "Closed Won",
                "CurrencyIsoCode": currency,
                "OwnerId": owner_pool[rng.randrange(len(owner_pool))],
                "CreatedDate": text,
                "CreatedById": user,
                "LastModifiedDate": text,
                "LastModifiedById": user,
                "SystemModstamp": text,
                "Partner_Notes__c": None if rng.random() < 0.8 else "Co-sell with partner team.",
                "Deal_Size__c": float(rng.randrange(1, 500)),
            }
            opportunity_ids.append(record_id)

        with self._lock:
            for name, batch in (("Account", account_store), ("Opportunity", opportunity_store)):
                store = self._records[name]
                was_empty = not store
                store.update(batch)
                if not was_empty:
                    # keep the store in SystemModstamp order (the order queries start from)
                    ordered = sorted(store.values(), key=lambda r: str(r["SystemModstamp"]))
                    store.clear()
                    store.update((r["Id"], r) for r in ordered)
            self._last_ms = max(self._last_ms, int(clock[0]))
        return SeededIds(owner_ids, account_ids, opportunity_ids)

    def _reserve_ids(self, sobject: str, count: int) -> int:
        prefix = self.schema[sobject].key_prefix
        with self._lock:
            first = self._counters.get(prefix, 0x10000) + 1
            self._counters[prefix] = first + count - 1 if count else first - 1
        return first

    def _put(self, sobject: SObjectType, record: dict[str, Any]) -> None:
        """Store a new version of a record, last in the store: iteration order stays
        SystemModstamp order, and readers holding the old dict keep their snapshot."""
        store = self._records[sobject.name]
        store.pop(record["Id"], None)
        store[record["Id"]] = record

    def _stored(
        self, sobject: SObjectType, record_id: str, *, allow_deleted: bool = False
    ) -> dict[str, Any]:
        id18 = to_id18(record_id)
        record = self._records[sobject.name].get(id18) if id18 else None
        if record is None:
            raise SalesforceError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {record_id}",
            )
        if record.get("IsDeleted") and not allow_deleted:
            raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
        return record

    # -- validation and writes

    def _coerce(
        self, sobject: SObjectType, fld: SfField, value: Any, errors: list[dict[str, Any]]
    ) -> Any:
        if value is None:
            return None
        kind = fld.type

        def parser_error(json_type: str) -> None:
            errors.append(
                _error(
                    "JSON_PARSER_ERROR",
                    f"Cannot deserialize instance of {json_type} from VALUE_STRING value "
                    f"{value} or request may be missing a required field at [line:1, column:1]",
                )
            )

        if kind in ("string", "textarea", "url", "email", "picklist"):
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                parser_error("string")
                return None
            text = str(value)
            if fld.length and len(text) > fld.length:
                errors.append(
                    _error(
                        "STRING_TOO_LONG",
                        f"{fld.label}: data value too large: {text[:80]} (max length={fld.length})",
                        [fld.name],
                    )
                )
            if kind == "picklist" and fld.restricted and text not in dict(fld.picklist):
                errors.append(
                    _error(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{fld.label}: bad value for restricted picklist field: {text}",
                        [fld.name],
                    )
                )
            if kind == "email" and text and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
                errors.append(
                    _error(
                        "INVALID_EMAIL_ADDRESS",
                        f"{fld.label}: invalid email address: {text}",
                        [fld.name],
                    )
                )
            return text
        if kind == "reference":
            id18 = to_id18(value) if isinstance(value, str) else None
            if id18 is None:
                errors.append(
                    _error(
                        "MALFORMED_ID",
                        f"{fld.label}: id value of incorrect type: {value}",
                        [fld.name],
                    )
                )
                return None
            target = self.schema[fld.reference_to[0]]
            if not id18.startswith(target.key_prefix):
                errors.append(
                    _error(
                        "FIELD_INTEGRITY_EXCEPTION",
                        f"{fld.label}: id value of incorrect type: {value}",
                        [fld.name],
                    )
                )
                return None
            if id18 not in self._records[target.name]:
                errors.append(
                    _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [fld.name])
                )
                return None
            return id18
        if kind in ("double", "currency", "percent", "int"):
            if isinstance(value, bool):
                parser_error(kind)
                return None
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    parser_error(kind)
                    return None
            if not isinstance(value, (int, float)):
                parser_error(kind)
                return None
            if kind == "int":
                if float(value) != int(value):
                    parser_error("int")
                    return None
                return int(value)
            return float(value)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            parser_error("boolean")
            return None
        if kind == "date":
            if (
                isinstance(value, str)
                and _valid_date(value[:10])
                and (len(value) == 10 or parse_datetime(value) is not None)
            ):
                return value[:10]
            parser_error("date")
            return None
        if kind == "datetime":
            ms = parse_datetime(value) if isinstance(value, str) else None
            if ms is None:
                parser_error("datetime")
                return None
            return format_datetime(ms)
        return value

    def _validate(
        self,
        sobject: SObjectType,
        values: Any,
        *,
        creating: bool,
        current: dict[str, Any] | None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        errors: list[dict[str, Any]] = []
        if not isinstance(values, dict):
            return {}, [
                _error(
                    "JSON_PARSER_ERROR",
                    f"Cannot deserialize instance of {sobject.name} from non-object value",
                )
            ]
        clean: dict[str, Any] = {}
        readonly: list[str] = []
        for key, value in values.items():
            if key == "attributes":
                continue
            fld = sobject.by_lower.get(key.lower())
            if fld is None:
                errors.append(
                    _error(
                        "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}"
                    )
                )
                continue
            if not (fld.createable if creating else fld.updateable):
                readonly.append(fld.name)
                continue
            clean[fld.name] = self._coerce(sobject, fld, value, errors)
        if readonly:
            errors.append(
                _error(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {', '.join(readonly)}. Please check the "
                    "security settings of this field and verify that it is read/write for your "
                    "profile or permission set.",
                    readonly,
                )
            )
        merged = {**(current or {}), **clean}
        missing = [
            f.name
            for f in sobject.fields.values()
            if f.required
            and (merged.get(f.name) is None or merged.get(f.name) == "")
            and (creating or f.name in clean)
        ]
        if missing:
            errors.append(
                _error(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    missing,
                )
            )
        return clean, errors

    def _derive(
        self, sobject: SObjectType, record: dict[str, Any], changed: dict[str, Any]
    ) -> None:
        if sobject.name == "Opportunity":
            stage = record.get("StageName")
            if "StageName" in changed and "Probability" not in changed:
                record["Probability"] = float(STAGE_PROBABILITY.get(stage, 0))
            record["IsClosed"] = isinstance(stage, str) and stage.startswith("Closed")
            record["IsWon"] = stage == "Closed Won"
        if sobject.name == "User":
            record["Name"] = (
                f"{record.get('FirstName') or ''} {record.get('LastName') or ''}".strip()
            )

    def _create(self, sobject: SObjectType, values: Any, user_id: str) -> str:
        if sobject.name == "User":
            raise SalesforceError(
                400, "INVALID_TYPE", "This stand-in does not create users; use seed(owners=…)"
            )
        with self._lock:
            clean, errors = self._validate(sobject, values, creating=True, current=None)
            if errors:
                raise SalesforceError.of(400, errors)
            stamp = format_datetime(self._tick())
            record: dict[str, Any] = {name: None for name in sobject.fields}
            record.update(
                Id=self._new_id(sobject.name),
                IsDeleted=False,
                CurrencyIsoCode="USD",
                OwnerId=user_id,
                CreatedDate=stamp,
                CreatedById=user_id,
                LastModifiedDate=stamp,
                LastModifiedById=user_id,
                SystemModstamp=stamp,
            )
            record.update(clean)
            self._derive(sobject, record, clean)
            self._put(sobject, record)
            return record["Id"]

    def _update(self, sobject: SObjectType, record_id: str, values: Any, user_id: str) -> None:
        with self._lock:
            current = self._stored(sobject, record_id)
            clean, errors = self._validate(sobject, values, creating=False, current=current)
            if errors:
                raise SalesforceError.of(400, errors)
            stamp = format_datetime(self._tick())
            record = {**current, **clean}
            record.update(LastModifiedDate=stamp, LastModifiedById=user_id, SystemModstamp=stamp)
            self._derive(sobject, record, clean)
            self._put(sobject, record)

    def _delete(self, sobject: SObjectType, record_id: str, user_id: str) -> None:
        with self._lock:
            current = self._stored(sobject, record_id)
            ms = self._tick()
            stamp = format_datetime(ms)
            self._put(
                sobject,
                {
                    **current,
                    "IsDeleted": True,
                    "SystemModstamp": stamp,
                    "LastModifiedDate": stamp,
                    "LastModifiedById": user_id,
                },
            )
            self._deleted_log[sobject.name].append((current["Id"], ms))

    # -- query machinery

    def _getter(self, path: FieldPath) -> Callable[[dict[str, Any]], Any]:
        name = path.field.name
        if not path.relationships:
            return lambda record: record.get(name)
        steps = [(rel.name, self._records[rel.reference_to[0]]) for rel in path.relationships]

        def walk(record: dict[str, Any]) -> Any:
            current: dict[str, Any] | None = record
            for key, store in steps:
                target = current.get(key) if current else None
                current = store.get(target) if isinstance(target, str) else None
                if current is None:
                    return None
            return current.get(name)

        return walk

    @staticmethod
    def _comparable(fld: SfField, value: Any) -> Any:
        """The value SOQL compares: text case-insensitively (ids are case-sensitive, and stored
        in their 18-character form; literals are normalised when the query is parsed)."""
        if fld.type in _CASELESS and isinstance(value, str):
            return value.casefold()
        return value

    def _parse(self, soql: str) -> Query:
        if not soql or not soql.strip():
            raise SalesforceError(400, "MALFORMED_QUERY", "unexpected token: <EOF>")
        return _Parser(soql, self.schema, self).parse()

    def _run(self, query: Query, *, include_deleted: bool) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._records[query.object.name].values())
        if not include_deleted:
            rows = [r for r in rows if not r.get("IsDeleted")]
        if query.where is not None:
            where = query.where
            rows = [r for r in rows if where(r)]
        for path, descending, nulls_first in reversed(query.order):
            rows = self._sorted(rows, path, descending, nulls_first)
        end = None if query.limit is None else query.offset + query.limit
        return rows[query.offset : end]

    def _sorted(
        self, rows: list[dict[str, Any]], path: FieldPath, descending: bool, nulls_first: bool
    ) -> list[dict[str, Any]]:
        getter = self._getter(path)
        caseless = path.field.type in _CASELESS
        keys = [getter(row) for row in rows]
        if caseless:
            keys = [k.casefold() if isinstance(k, str) else k for k in keys]
        present = [i for i, k in enumerate(keys) if k is not None]
        nulls = [i for i, k in enumerate(keys) if k is None] if len(present) < len(keys) else []
        try:
            present.sort(key=keys.__getitem__, reverse=descending)
        except TypeError:  # malformed stored values (put_raw): order them by type, then value
            present.sort(key=lambda i: (type(keys[i]).__name__, str(keys[i])), reverse=descending)
        order = nulls + present if nulls_first else present + nulls
        return [rows[i] for i in order]

    def _render(self, query: Query, record: dict[str, Any], version: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                "type": query.object.name,
                "url": f"/services/data/v{version}/sobjects/{query.object.name}/{record['Id']}",
            }
        }
        for path in query.fields:
            if not path.relationships:
                out[path.field.name] = record.get(path.field.name)
                continue
            container = out
            current: dict[str, Any] | None = record
            for relation in path.relationships:
                target_name = relation.reference_to[0]
                key = relation.relationship_name or relation.name
                target_id = current.get(relation.name) if current else None
                current = self._records[target_name].get(target_id) if target_id else None
                if current is None:
                    container.setdefault(key, None)
                    break
                nested = container.get(key)
                if not isinstance(nested, dict):
                    nested = {
                        "attributes": {
                            "type": target_name,
                            "url": f"/services/data/v{version}/sobjects/{target_name}/"
                            f"{current['Id']}",
                        }
                    }
                    container[key] = nested
                container = nested
            else:
                container[path.field.name] = current.get(path.field.name) if current else None
        return out

    def _csv_value(self, value: Any) -> str:
        if value is None:
            return ""
        if value is True:
            return "true"
        if value is False:
            return "false"
        return str(value)

    # -- HTTP

    def fault_body(self, status: int) -> Any:
        bodies = {
            401: [_error("INVALID_SESSION_ID", "Session expired or invalid")],
            403: [_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")],
            404: [_error("NOT_FOUND", "The requested resource does not exist")],
            429: [_error("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")],
            500: [
                _error(
                    "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred. Please include this "
                    "ErrorId if you contact support: 1184823519-63413 (-1625234421)",
                )
            ],
            503: [_error("SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry.")],
        }
        return bodies.get(status, [_error("UNKNOWN_EXCEPTION", f"injected fault {status}")])

    def handle(self, request: StandInRequest) -> StandInResponse:
        path = request.path
        try:
            if path.startswith("/services/oauth2/"):
                return self._oauth(request, path[len("/services/oauth2/") :].rstrip("/"))
            if path.startswith("/id/"):
                return self._identity(request)
            if path.rstrip("/") == "/services/data":
                return json_response(
                    200,
                    [
                        {"label": label, "url": f"/services/data/v{v}", "version": v}
                        for v, label in API_VERSIONS
                    ],
                )
            match = _VERSION_PATH.match(path)
            if match:
                return self._rest(request, match.group(1), (match.group(2) or "/").strip("/"))
            raise _not_found()
        except SalesforceError as error:
            return json_response(error.status, error.errors)

    # -- OAuth

    def _client_auth(self, request: StandInRequest, form: dict[str, str]) -> StandInResponse | None:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("Authorization") or ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                decoded = ":"
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            return json_response(
                400,
                {"error": "invalid_client_id", "error_description": "client identifier invalid"},
            )
        if client_secret != self.client_secret:
            return json_response(
                400, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        return None

    def _token_body(self, access: str, refresh: str | None, user_id: str, scope: str) -> dict:
        issued = str(self._now_ms())
        identity = f"{self.base_url}/id/{self.org_id}/{user_id}"
        signature = base64.b64encode(
            hmac.new(
                self.client_secret.encode(), (identity + issued).encode(), hashlib.sha256
            ).digest()
        ).decode()
        body = {
            "access_token": access,
            "signature": signature,
            "scope": scope,
            "instance_url": self.base_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued,
        }
        if refresh:
            body["refresh_token"] = refresh
        return body

    def _oauth(self, request: StandInRequest, action: str) -> StandInResponse:
        if action == "authorize" and request.method == "GET":
            return self._authorize(request)
        if action == "token" and request.method == "POST":
            return self._token(request)
        if action == "revoke" and request.method in ("POST", "GET"):
            form = request.form() if request.method == "POST" else {}
            token = form.get("token") or request.param("token") or ""
            with self._lock:
                grant = self._refresh_tokens.pop(token, None)
                session = self._access_tokens.pop(token, None)
                if grant is not None:  # revoking a refresh token ends its sessions too
                    for access, held in list(self._access_tokens.items()):
                        if held.get("refresh") == token:
                            del self._access_tokens[access]
            if grant is None and session is None:
                return json_response(
                    400, {"error": "invalid_token", "error_description": "invalid token"}
                )
            return StandInResponse(200, b"", content_type=None)
        if action == "userinfo":
            user = self._session_user(request)
            return json_response(200, self._userinfo(user))
        raise _not_found()

    def _authorize(self, request: StandInRequest) -> StandInResponse:
        if request.param("client_id") != self.client_id:
            return StandInResponse(
                400,
                b"error=invalid_client_id&error_description=client%20identifier%20invalid",
                content_type="text/plain;charset=UTF-8",
            )
        redirect_uri = request.param("redirect_uri") or ""
        if not redirect_uri:
            return StandInResponse(
                400,
                b"error=redirect_uri_missing&error_description=redirect_uri%20must%20match"
                b"%20configuration",
                content_type="text/plain;charset=UTF-8",
            )
        state = request.param("state")
        separator = "&" if "?" in redirect_uri else "?"

        def redirect(params: dict[str, str]) -> StandInResponse:
            if state is not None:
                params["state"] = state
            return StandInResponse(
                302, b"", {"Location": redirect_uri + separator + urlencode(params)}, None
            )

        if request.param("response_type") != "code":
            return redirect(
                {
                    "error": "unsupported_response_type",
                    "error_description": "response type not supported",
                }
            )
        challenge = request.param("code_challenge")
        method = request.param("code_challenge_method") or "S256"
        if challenge is not None and method != "S256":
            return redirect(
                {"error": "invalid_request", "error_description": "invalid code_challenge_method"}
            )
        code = "aPrx" + secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "challenge": challenge,
                "scope": request.param("scope") or "api refresh_token",
                "expires": time.monotonic() + 900,
                "user_id": self.api_user_id,
            }
        return redirect({"code": code})

    def _token(self, request: StandInRequest) -> StandInResponse:
        form = request.form()
        grant_type = form.get("grant_type")

        def invalid(error: str, description: str) -> StandInResponse:
            return json_response(400, {"error": error, "error_description": description})

        if grant_type not in ("authorization_code", "refresh_token"):
            return invalid("unsupported_grant_type", "grant type not supported")
        refused = self._client_auth(request, form)
        if refused is not None:
            return refused
        if grant_type == "refresh_token":
            with self._lock:
                grant = self._refresh_tokens.get(form.get("refresh_token") or "")
            if grant is None:
                return invalid("invalid_grant", "expired access/refresh token")
            access, _ = self._issue(grant["user_id"], with_refresh=False, scope=grant["scope"])
            with self._lock:
                self._access_tokens[access]["refresh"] = form.get("refresh_token")
            return json_response(
                200, self._token_body(access, None, grant["user_id"], grant["scope"])
            )
        with self._lock:
            grant = self._codes.pop(form.get("code") or "", None)
        if grant is None or grant["expires"] < time.monotonic():
            return invalid("invalid_grant", "invalid authorization code")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return invalid("invalid_grant", "redirect_uri must match configuration")
        if grant["challenge"] is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                # Salesforce: a challenge without a verifier fails with invalid_grant ...
                return invalid("invalid_grant", "invalid code verifier")
            digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            if not hmac.compare_digest(expected, grant["challenge"]):
                # ... and a verifier that does not match it with invalid_request.
                return invalid("invalid_request", "invalid code verifier")
        access, refresh = self._issue(grant["user_id"], with_refresh=True, scope=grant["scope"])
        with self._lock:
            self._access_tokens[access]["refresh"] = refresh
        return json_response(
            200, self._token_body(access, refresh, grant["user_id"], grant["scope"])
        )

    def _session_user(self, request: StandInRequest) -> dict[str, Any]:
        token = request.bearer()
        with self._lock:
            session = self._access_tokens.get(token or "")
            if session is None:
                raise SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            return self._records["User"][session["user_id"]]

    def _userinfo(self, user: dict[str, Any]) -> dict[str, Any]:
        identity = f"{self.base_url}/id/{self.org_id}/{user['Id']}"
        return {
            "sub": identity,
            "user_id": user["Id"],
            "organization_id": self.org_id,
            "preferred_username": user["Username"],
            "nickname": user["Username"].split("@")[0],
            "name": user["Name"],
            "email": user["Email"],
            "email_verified": True,
            "given_name": user["FirstName"],
            "family_name": user["LastName"],
            "zoneinfo": "Europe/London",
            "locale": "en_US",
            "language": "en_US",
            "active": True,
            "user_type": "STANDARD",
            "utcOffset": 0,
            "updated_at": user["LastModifiedDate"],
            "is_app_installed": True,
            "urls": {
                "rest": f"{self.base_url}/services/data/v{{version}}/",
                "sobjects": f"{self.base_url}/services/data/v{{version}}/sobjects/",
                "query": f"{self.base_url}/services/data/v{{version}}/query/",
                "profile": f"{self.base_url}/{user['Id']}",
            },
        }

    def _identity(self, request: StandInRequest) -> StandInResponse:
        parts = request.path.strip("/").split("/")
        user = self._session_user(request)
        if len(parts) != 3 or parts[1] != self.org_id or parts[2] != user["Id"]:
            return json_response(403, "Bad_Id")
        info = self._userinfo(user)
        return json_response(
            200,
            {
                "id": info["sub"],
                "asserted_user": True,
                "user_id": user["Id"],
                "organization_id": self.org_id,
                "username": user["Username"],
                "nick_name": info["nickname"],
                "display_name": user["Name"],
                "email": user["Email"],
                "email_verified": True,
                "first_name": user["FirstName"],
                "last_name": user["LastName"],
                "timezone": info["zoneinfo"],
                "active": True,
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "utcOffset": 0,
                "last_modified_date": user["LastModifiedDate"],
                "is_app_installed": True,
                "urls": info["urls"],
            },
        )

    # -- REST

    def _limit_headers(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.api_usage}/{self.daily_api_limit}"}

    def _rest(self, request: StandInRequest, version: str, rest: str) -> StandInResponse:
        user = self._session_user(request)
        with self._lock:
            if self.api_usage >= self.daily_api_limit:
                return json_response(
                    403,
                    [_error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")],
                    self._limit_headers(),
                )
            self.api_usage += 1
            headers = self._limit_headers()
        try:
            response = self._route(request, version, rest, user["Id"])
        except SalesforceError as error:
            response = json_response(error.status, error.errors)
        response.headers.update(headers)
        return response

    def _body(self, request: StandInRequest) -> Any:
        try:
            return request.json()
        except (ValueError, UnicodeDecodeError) as error:
            raise SalesforceError(
                400, "JSON_PARSER_ERROR", f"Unexpected character: {error} at [line:1, column:1]"
            ) from None

    def _route(
        self, request: StandInRequest, version: str, rest: str, user_id: str
    ) -> StandInResponse:
        parts = rest.split("/") if rest else []
        method = request.method
        if not parts:
            return json_response(
                200,
                {
                    name: f"/services/data/v{version}/{name}"
                    for name in ("sobjects", "query", "queryAll", "limits", "composite", "jobs")
                },
            )
        head = parts[0]
        if head == "limits" and method == "GET":
            return json_response(
                200,
                {
                    "DailyApiRequests": {
                        "Max": self.daily_api_limit,
                        "Remaining": max(0, self.daily_api_limit - self.api_usage),
                    },
                    "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000 - len(self._jobs)},
                },
            )
        if head in ("query", "queryAll") and method == "GET":
            if len(parts) == 1:
                return self._query(
                    request, version, include_deleted=head == "queryAll", user_id=user_id
                )
            return self._query_more(parts[1], version)
        if head == "sobjects":
            return self._sobjects(request, version, parts[1:], user_id)
        if head == "composite" and len(parts) >= 2 and parts[1] == "sobjects":
            return self._collections(request, version, parts[2:], user_id)
        if head == "jobs" and len(parts) >= 2 and parts[1] == "query":
            return self._bulk(request, version, parts[2:], user_id)
        raise _not_found()

    def _describe_global(self, version: str) -> dict[str, Any]:
        return {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [self._object_summary(o, version) for o in self.schema.values()],
        }

    def _object_summary(self, sobject: SObjectType, version: str) -> dict[str, Any]:
        base = f"/services/data/v{version}/sobjects/{sobject.name}"
        writable = sobject.name != "User"
        return {
            "activateable": False,
            "createable": writable,
            "custom": False,
            "customSetting": False,
            "deletable": writable,
            "deprecatedAndHidden": False,
            "feedEnabled": True,
            "hasSubtypes": False,
            "isSubtype": False,
            "keyPrefix": sobject.key_prefix,
            "label": sobject.label,
            "labelPlural": sobject.label_plural,
            "layoutable": True,
            "mergeable": sobject.name == "Account",
            "mruEnabled": True,
            "name": sobject.name,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": True,
            "triggerable": True,
            "undeletable": writable,
            "updateable": writable,
            "urls": {
                "rowTemplate": f"{base}/{{ID}}",
                "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
                "describe": f"{base}/describe",
                "sobject": base,
            },
        }

    def _describe(self, sobject: SObjectType, version: str) -> bytes:
        key = (sobject.name, version)
        cached = self._describe_cache.get(key)
        if cached is None:
            body = self._object_summary(sobject, version)
            body.update(
                {
                    "actionOverrides": [],
                    "childRelationships": (
                        [
                            {
                                "cascadeDelete": False,
                                "childSObject": "Opportunity",
                                "deprecatedAndHidden": False,
                                "field": "AccountId",
                                "relationshipName": "Opportunities",
                                "restrictedDelete": False,
                            }
                        ]
                        if sobject.name == "Account"
                        else []
                    ),
                    "compactLayoutable": True,
                    "fields": [f.describe() for f in sobject.fields.values()],
                    "listviewable": None,
                    "lookupLayoutable": None,
                    "namedLayoutInfos": [],
                    "networkScopeFieldName": None,
                    "recordTypeInfos": [
                        {
                            "active": True,
                            "available": True,
                            "defaultRecordTypeMapping": True,
                            "developerName": "Master",
                            "master": True,
                            "name": "Master",
                            "recordTypeId": "012000000000000AAA",
                            "urls": {},
                        }
                    ],
                    "searchLayoutable": True,
                    "supportedScopes": [{"label": "All", "name": "everything"}],
                    "urls": {
                        **body["urls"],
                        "layouts": f"{body['urls']['sobject']}/describe/layouts",
                    },
                }
            )
            cached = json.dumps(body, separators=(",", ":")).encode()
            self._describe_cache[key] = cached
        return cached

    def _record_body(
        self, sobject: SObjectType, record: dict[str, Any], version: str, fields: list[str] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                "type": sobject.name,
                "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record['Id']}",
            }
        }
        names = fields or list(sobject.fields)
        for name in names:
            fld = sobject.by_lower.get(name.lower())
            if fld is None:
                raise SalesforceError(
                    400,
                    "INVALID_FIELD",
                    f"No such column '{name}' on entity '{sobject.name}'. If you are attempting to "
                    "use a custom field, be sure to append the '__c' after the custom field name. "
                    "Please reference your WSDL or the describe call for the appropriate names.",
                )
            out[fld.name] = record.get(fld.name)
        return out

    def _sobjects(
        self, request: StandInRequest, version: str, parts: list[str], user_id: str
    ) -> StandInResponse:
        method = request.method
        if not parts:
            if method != "GET":
                raise _not_found()
            return json_response(200, self._describe_global(version))
        sobject = self._object(parts[0])
        rest = parts[1:]
        if not rest:
            if method == "GET":
                with self._lock:
                    recent = list(self._records[sobject.name].values())[-3:]
                return json_response(
                    200,
                    {
                        "objectDescribe": self._object_summary(sobject, version),
                        "recentItems": [
                            self._record_body(sobject, r, version, ["Id", "Name"])
                            for r in reversed(recent)
                        ],
                    },
                )
            if method == "POST":
                record_id = self._create(sobject, self._body(request), user_id)
                return json_response(201, {"id": record_id, "success": True, "errors": []})
            raise SalesforceError(
                405,
                "METHOD_NOT_ALLOWED",
                f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD,POST",
            )
        if rest[0] == "describe" and len(rest) == 1 and method == "GET":
            return StandInResponse(200, self._describe(sobject, version))
        if rest[0] in ("deleted", "updated") and len(rest) == 1 and method == "GET":
            return self._replication(request, sobject, rest[0])
        if len(rest) != 1:
            raise _not_found()
        record_id = rest[0]
        if method == "GET":
            with self._lock:
                record = self._stored(sobject, record_id)
            fields = request.params("fields") or None
            return json_response(200, self._record_body(sobject, record, version, fields))
        if method == "PATCH":
            self._update(sobject, record_id, self._body(request), user_id)
            return no_content()
        if method == "DELETE":
            self._delete(sobject, record_id, user_id)
            return no_content()
        raise SalesforceError(
            405,
            "METHOD_NOT_ALLOWED",
            f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE",
        )

    def _replication(
        self, request: StandInRequest, sobject: SObjectType, kind: str
    ) -> StandInResponse:
        start_text, end_text = request.param("start"), request.param("end")
        start = parse_datetime(start_text or "")
        end = parse_datetime(end_text or "")
        if start is None or end is None:
            raise SalesforceError(
                400,
                "MALFORMED_QUERY" if start_text and end_text else "MISSING_ARGUMENT",
                "start and end must be ISO 8601 datetimes, e.g. 2026-12-07T10:00:00+00:00",
            )
        if start >= end:
            raise SalesforceError(
                400,
                "INVALID_REPLICATION_DATE",
                "startDate must chronologically precede endDate by more than one minute",
            )
        now = self._now_ms()
        if start < now - 30 * 86_400_000:
            raise SalesforceError(
                400, "INVALID_REPLICATION_DATE", "startDate can not be more than 30 days ago"
            )
        covered = min(end, now) // 60_000 * 60_000  # whole minutes, as Salesforce reports them
        with self._lock:
            if kind == "deleted":
                log = self._deleted_log[sobject.name]
                deleted = [
                    {"id": record_id, "deletedDate": format_datetime(ms)}
                    for record_id, ms in log
                    if start <= ms < end
                    and self._records[sobject.name].get(record_id, {}).get("IsDeleted")
                ]
                earliest = log[0][1] if log else self._created_ms
                body: dict[str, Any] = {
                    "deletedRecords": deleted,
                    "earliestDateAvailable": format_datetime(min(earliest, self._created_ms)),
                    "latestDateCovered": format_datetime(covered),
                }
            else:
                ids = []
                for record in self._records[sobject.name].values():
                    ms = parse_datetime(str(record.get("SystemModstamp")))
                    if ms is not None and start <= ms < end and not record.get("IsDeleted"):
                        ids.append(record["Id"])
                body = {"ids": ids, "latestDateCovered": format_datetime(covered)}
        return json_response(200, body)

    # -- SOQL over REST

    def _batch_size(self, request: StandInRequest) -> int:
        options = request.headers.get("Sforce-Query-Options") or ""
        match = re.search(r"batchSize\s*=\s*(\d+)", options, re.I)
        if not match:
            return 2000
        return max(200, min(2000, int(match.group(1))))

    def _query(
        self, request: StandInRequest, version: str, *, include_deleted: bool, user_id: str
    ) -> StandInResponse:
        soql = request.param("q")
        if soql is None:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        query = self._parse(soql)
        rows = self._run(query, include_deleted=include_deleted)
        if query.count_only:
            return json_response(200, {"totalSize": len(rows), "done": True, "records": []})
        batch = self._batch_size(request)
        locator = None
        if len(rows) > batch:
            locator = self._new_id("01g")
            with self._lock:
                self._cursors[locator] = _Cursor(rows, query, user_id, batch)
                open_cursors = [k for k, c in self._cursors.items() if c.user_id == user_id]
                for stale in open_cursors[: max(0, len(open_cursors) - self.max_query_cursors)]:
                    del self._cursors[stale]
        return self._page(query, rows, 0, batch, locator, version)

    def _page(
        self,
        query: Query,
        rows: list[dict[str, Any]],
        offset: int,
        batch: int,
        locator: str | None,
        version: str,
    ) -> StandInResponse:
        chunk = rows[offset : offset + batch]
        done = offset + batch >= len(rows)
        body: dict[str, Any] = {"totalSize": len(rows), "done": done}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{offset + batch}"
        body["records"] = [self._render(query, r, version) for r in chunk]
        return json_response(200, body)

    def _query_more(self, identifier: str, version: str) -> StandInResponse:
        locator, _, offset_text = identifier.partition("-")
        with self._lock:
            cursor = self._cursors.get(locator)
        if cursor is None or not offset_text.isdigit() or int(offset_text) > len(cursor.rows):
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        # Later batches keep the size the query was opened with; a locator can be read again
        # (a client retrying a page) until newer cursors push it out.
        return self._page(
            cursor.query, cursor.rows, int(offset_text), cursor.batch, locator, version
        )

    # -- sObject Collections

    def _collections(
        self, request: StandInRequest, version: str, parts: list[str], user_id: str
    ) -> StandInResponse:
        method = request.method
        if method == "GET" and len(parts) == 1:
            sobject = self._object(parts[0])
            ids = request.params("ids")
            fields = request.params("fields")
            if not ids or not fields:
                raise SalesforceError(400, "MISSING_ARGUMENT", "ids and fields are required")
            if len(ids) > 2000:
                raise SalesforceError(
                    400, "EXCEEDED_ID_LIMIT", "Record count exceeds the maximum of 2000"
                )
            out: list[dict[str, Any] | None] = []
            with self._lock:
                for record_id in ids:
                    record = self._records[sobject.name].get(to_id18(record_id) or "")
                    live = record is not None and not record.get("IsDeleted")
                    out.append(
                        self._record_body(sobject, record, version, fields) if live else None
                    )  # type: ignore[arg-type]
            return json_response(200, out)
        if parts:
            raise _not_found()
        if method == "DELETE":
            ids = request.params("ids")
            all_or_none = (request.param("allOrNone") or "false").lower() == "true"
            return self._collection_write(
                [{"Id": i} for i in ids], all_or_none, user_id, "delete", version
            )
        if method in ("POST", "PATCH"):
            body = self._body(request)
            if not isinstance(body, dict) or not isinstance(body.get("records"), list):
                raise SalesforceError(400, "JSON_PARSER_ERROR", "records is required")
            return self._collection_write(
                body["records"],
                bool(body.get("allOrNone")),
                user_id,
                "create" if method == "POST" else "update",
                version,
            )
        raise _not_found()

    def _collection_write(
        self, records: list[Any], all_or_none: bool, user_id: str, action: str, version: str
    ) -> StandInResponse:
        if len(records) > 200:
            raise SalesforceError(
                400, "EXCEEDED_ID_LIMIT", "Record count exceeds the maximum of 200"
            )
        results: list[dict[str, Any]] = []
        with self._lock:
            snapshot = {name: dict(store) for name, store in self._records.items()}
            log_sizes = {name: len(log) for name, log in self._deleted_log.items()}
            for item in records:
                try:
                    if action == "delete":
                        record_id = to_id18(item["Id"]) or item["Id"]
                        sobject = self._object_of(record_id)
                        self._delete(sobject, record_id, user_id)
                    else:
                        attributes = item.get("attributes") if isinstance(item, dict) else None
                        type_name = (
                            (attributes or {}).get("type") if isinstance(attributes, dict) else None
                        )
                        if not type_name:
                            raise SalesforceError(
                                400, "INVALID_TYPE", "Must send a concrete entity type.", []
                            )
                        sobject = self._object(type_name)
                        values = {k: v for k, v in item.items() if k != "attributes"}
                        if action == "create":
                            if "Id" in values:
                                raise SalesforceError(
                                    400,
                                    "INVALID_FIELD",
                                    "cannot specify Id in an insert call",
                                    ["Id"],
                                )
                            record_id = self._create(sobject, values, user_id)
                        else:
                            record_id = to_id18(values.pop("Id", "") or "") or ""
                            if not record_id:
                                raise SalesforceError(
                                    400,
                                    "MISSING_ARGUMENT",
                                    "Id not specified in an update call",
                                    ["Id"],
                                )
                            self._update(sobject, record_id, values, user_id)
                    results.append({"id": record_id, "success": True, "errors": []})
                except SalesforceError as error:
                    results.append(
                        {
                            "success": False,
                            "errors": [
                                {
                                    "statusCode": e["errorCode"],
                                    "message": e["message"],
                                    "fields": e.get("fields", []),
                                }
                                for e in error.errors
                            ],
                        }
                    )
            if all_or_none and any(not r["success"] for r in results):
                for name, store in snapshot.items():
                    self._records[name].clear()
                    self._records[name].update(store)
                for name, size in log_sizes.items():
                    del self._deleted_log[name][size:]
                rolled_back = {
                    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                    "message": "Record rolled back because not all records were valid and the "
                    "request was using AllOrNone header",
                    "fields": [],
                }
                results = [
                    r
                    if not r["success"]
                    else {"id": None, "success": False, "errors": [rolled_back]}
                    for r in results
                ]
        return json_response(200, results)

    def _object_of(self, record_id: str) -> SObjectType:
        for sobject in self.schema.values():
            if record_id.startswith(sobject.key_prefix):
                return sobject
        raise SalesforceError(400, "MALFORMED_ID", f"malformed id {record_id}", [])

    # -- Bulk API 2.0 query

    def _job_info(self, job: _BulkJob, *, created: bool = False) -> dict[str, Any]:
        if not created and job.state in ("UploadComplete", "InProgress"):
            elapsed = time.monotonic() - job.started
            job.state = "JobComplete" if elapsed >= self.bulk_job_seconds else "InProgress"
        complete = job.state == "JobComplete"
        info: dict[str, Any] = {
            "id": job.id,
            "operation": job.operation,
            "object": job.query.object.name,
            "createdById": job.created_by,
            "createdDate": format_datetime(job.created_ms),
            "systemModstamp": format_datetime(job.created_ms),
            "state": job.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(job.api_version),
        }
        if not created:  # the job-info answer adds these to the create answer's fields
            info["jobType"] = "V2Query"
        info["lineEnding"] = job.line_ending
        info["columnDelimiter"] = job.column_delimiter
        if not created:
            info["numberRecordsProcessed"] = len(job.rows) if complete else 0
            info["retries"] = 0
            info["totalProcessingTime"] = 12 + len(job.rows) // 1000 if complete else 0
        return info

    def _bulk(
        self, request: StandInRequest, version: str, parts: list[str], user_id: str
    ) -> StandInResponse:
        method = request.method
        if not parts:
            if method == "POST":
                return self._bulk_create(request, version, user_id)
            if method == "GET":
                with self._lock:
                    jobs = [self._job_info(j) for j in self._jobs.values()]
                return json_response(200, {"done": True, "records": jobs, "nextRecordsUrl": None})
            raise _not_found()
        with self._lock:
            job = self._jobs.get(parts[0])
        if job is None:
            raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        if len(parts) == 1:
            if method == "GET":
                with self._lock:
                    return json_response(200, self._job_info(job))
            if method == "PATCH":
                body = self._body(request) or {}
                if body.get("state") != "Aborted":
                    raise SalesforceError(400, "INVALIDJOBSTATE", "Invalid state transition")
                with self._lock:
                    self._job_info(job)
                    if job.state == "JobComplete":
                        raise SalesforceError(
                            400, "INVALIDJOBSTATE", "Job is already complete and can't be aborted"
                        )
                    job.state = "Aborted"
                    return json_response(200, self._job_info(job))
            if method == "DELETE":
                with self._lock:
                    self._jobs.pop(job.id, None)
                return no_content()
            raise _not_found()
        if parts[1:] == ["results"] and method == "GET":
            return self._bulk_results(request, job, version)
        raise _not_found()

    def _bulk_create(self, request: StandInRequest, version: str, user_id: str) -> StandInResponse:
        body = self._body(request)
        if not isinstance(body, dict):
            raise SalesforceError(400, "JSON_PARSER_ERROR", "Unexpected request body")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise SalesforceError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        line_ending = body.get("lineEnding", "LF")
        delimiter = body.get("columnDelimiter", "COMMA")
        if line_ending not in ("LF", "CRLF") or delimiter not in _DELIMITERS:
            raise SalesforceError(400, "INVALIDJOB", "Invalid lineEnding or columnDelimiter")
        query = self._parse(body.get("query") or "")
        if query.count_only:
            raise SalesforceError(
                400,
                "API_ERROR",
                "Aggregate Relationships not supported in Bulk Query with CSV content type",
            )
        if query.offset:
            raise SalesforceError(400, "API_ERROR", "OFFSET is not supported in Bulk API 2.0 query")
        rows = self._run(query, include_deleted=operation == "queryAll")
        job = _BulkJob(
            id=self._new_id("750"),
            operation=operation,
            query=query,
            rows=rows,
            created_ms=self._now_ms(),
            started=time.monotonic(),
            api_version=version,
            line_ending=line_ending,
            column_delimiter=delimiter,
            created_by=user_id,
        )
        with self._lock:
            self._jobs[job.id] = job
            return json_response(200, self._job_info(job, created=True))

    def _bulk_results(
        self, request: StandInRequest, job: _BulkJob, version: str
    ) -> StandInResponse:
        if version != job.api_version:
            raise SalesforceError(
                409,
                "INVALIDJOBSTATE",
                f"Use the API version the job was created with (v{job.api_version})",
            )
        with self._lock:
            self._job_info(job)
        if job.state != "JobComplete":
            raise SalesforceError(
                400,
                "INVALIDJOBSTATE",
                f"Job is in state {job.state}; results are available once it is JobComplete",
            )
        locator = request.param("locator") or ""
        offset = 0
        if locator and locator != "null":
            try:
                offset = int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
            except ValueError:
                raise SalesforceError(400, "INVALIDLOCATOR", "Invalid locator") from None
        max_text = request.param("maxRecords")
        if max_text is not None and (not max_text.isdigit() or int(max_text) <= 0):
            raise SalesforceError(400, "INVALIDPARAMETER", "maxRecords must be a positive integer")
        size = int(max_text) if max_text else len(job.rows) or 1
        chunk = job.rows[offset : offset + size]
        end = offset + len(chunk)
        next_locator = (
            base64.b64encode(str(end).encode()).decode().rstrip("=")
            if end < len(job.rows)
            else "null"
        )
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=_DELIMITERS[job.column_delimiter],
            quoting=csv.QUOTE_ALL,
            lineterminator="\r\n" if job.line_ending == "CRLF" else "\n",
        )
        writer.writerow([p.text for p in job.query.fields])
        getters = [self._getter(p) for p in job.query.fields]
        value = self._csv_value
        writer.writerows([value(g(r)) for g in getters] for r in chunk)
        return StandInResponse(
            200,
            buffer.getvalue().encode("utf-8"),
            {"Sforce-Locator": next_locator, "Sforce-NumberOfRecords": str(len(chunk))},
            content_type="text/csv",
        )


def pkce_pair() -> tuple[str, str]:
    """A PKCE (code_verifier, S256 code_challenge) pair, for tests driving the OAuth flow."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")

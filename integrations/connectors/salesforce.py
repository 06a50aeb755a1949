"""Salesforce over its REST API and Bulk API 2.0 (through simple-salesforce): Accounts are
accounts, Opportunities are opportunities.

- Auth: the OAuth web-server flow with PKCE (integrations.connectors.oauth) gives an access token, a
  refresh token and the org's instance URL. An expired session (401 INVALID_SESSION_ID) is
  refreshed once and the call repeated; the new token is handed to the engine to store.
- Changes: `SystemModstamp` (changes on every write, system ones included) is the cursor, with
  the record id breaking ties: `WHERE SystemModstamp > :since OR (SystemModstamp = :since AND
  Id > :id) ORDER BY SystemModstamp, Id LIMIT n`. Reading a page twice is harmless.
- An initial import of more than INTEGRATIONS_BULK_THRESHOLD records reads through one Bulk
  API 2.0 query job instead: the job id and the result locator are the cursor, so a killed
  worker resumes with the next result page; afterwards the cursor goes on from the job's
  start (minus a minute: what changed meanwhile is read again, harmlessly).
- The daily API limit (403 REQUEST_LIMIT_EXCEEDED) fails the run in a sentence; the next
  scheduled run goes on. 429 and 5xx are retried by the engine (GuardedSession raises them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlparse

from django.conf import settings
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_soql

from integrations.connectors.base import (
    AuthFailed,
    ChangePage,
    Connector,
    ConnectorError,
    Credentials,
    RecordRejected,
    RemoteField,
    RemoteObject,
    RemoteRecord,
    UpsertResult,
)
from integrations.connectors.http import GuardedSession
from integrations.connectors.oauth import oauth_app, secret_renewed

API_VERSION = "62.0"
OBJECTS = {"Account": ("Accounts", "account"), "Opportunity": ("Opportunities", "opportunity")}
TYPES = {
    "id": "id",
    "string": "text",
    "textarea": "long_text",
    "double": "number",
    "currency": "number",
    "percent": "number",
    "int": "number",
    "long": "number",
    "date": "date",
    "datetime": "datetime",
    "boolean": "boolean",
    "picklist": "choice",
    "reference": "reference",
    "url": "url",
    "email": "email",
    "phone": "text",
}
NUMERIC = {"double", "currency", "percent", "int", "long"}
# bookkeeping the mapping never offers
HIDDEN = {
    "SystemModstamp", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
    "IsDeleted", "LastActivityDate", "LastViewedDate", "LastReferencedDate",
}  # fmt: skip
ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
FIELD_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?$")
T = TypeVar("T")


def _org_time(value: Any) -> dt.datetime:
    """A Salesforce datetime ("2026-12-08T10:00:00.000+0000") as an aware datetime; our own
    clock when the org gave none."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return dt.datetime.now(dt.UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _stamp(value: str) -> str:
    """SystemModstamp as the ISO text our cursors and links compare ("…T10:00:00.000+00:00")."""
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").isoformat(timespec="milliseconds")


def _soql_stamp(value: str) -> str:
    """An ISO stamp as a SOQL datetime literal (UTC, milliseconds)."""
    moment = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class SalesforceConnector(Connector):
    key: ClassVar[str] = "salesforce"
    label: ClassVar[str] = "Salesforce"
    oauth: ClassVar[bool] = True
    identity_keys: ClassVar[tuple[str, ...]] = ("org_id",)

    def __init__(self, credentials) -> None:  # type: ignore[no-untyped-def]
        super().__init__(credentials)
        self.instance_url = str(credentials.settings.get("instance_url", "")).rstrip("/")
        self.secret = dict(credentials.secret)
        self._refreshed = False
        self._sf: Salesforce | None = None
        self._describe: dict[str, dict[str, Any]] = {}

    # -- transport ----------------------------------------------------------------------------
    def _client(self) -> Salesforce:
        if self._sf is None:
            parsed = urlparse(self.instance_url)
            if parsed.scheme != "https" or not parsed.hostname:
                raise ConnectorError("The Salesforce org's address is not an https address.")
            self._sf = Salesforce(
                instance_url=self.instance_url,
                session_id=str(self.secret.get("access_token", "")),
                version=API_VERSION,
                session=GuardedSession("Salesforce"),
                # amounts as exact decimals, as the bulk results' text gives them
                parse_float=Decimal,
            )
        return self._sf

    def _refresh(self) -> None:
        app = oauth_app(self.key, str(self.credentials.settings.get("environment", "")))
        if app is None:
            raise AuthFailed(
                "Salesforce's session ended, and this deployment has no Salesforce app to "
                "renew it: connect again."
            )
        self.secret = secret_renewed(app, self.secret)
        self._refreshed = True
        self._sf = None

    def refreshed_secret(self) -> dict[str, Any] | None:
        return dict(self.secret) if self._refreshed else None

    @classmethod
    def from_tokens(cls, tokens: dict[str, Any], settings: dict[str, Any]) -> Credentials:
        """The org and user from the token's identity URL (…/id/<org id>/<user id>) and the
        user's name from userinfo."""
        identity = str(tokens.get("id", "")).rstrip("/").split("/")
        org_id, user_id = (identity[-2], identity[-1]) if len(identity) >= 2 else ("", "")
        if not ID_RE.match(org_id) or not tokens.get("instance_url"):
            raise AuthFailed("Salesforce's answer named no org: connect again.")
        credentials = Credentials(
            settings={
                "environment": settings.get("environment", "production"),
                "instance_url": str(tokens["instance_url"]).rstrip("/"),
                "org_id": org_id,
                "user_id": user_id,
            },
            secret={
                "access_token": tokens.get("access_token", ""),
                "refresh_token": tokens.get("refresh_token", ""),
            },
        )
        info = cls(credentials).userinfo()
        credentials.settings["username"] = str(
            info.get("preferred_username") or info.get("email") or ""
        )[:200]
        return credentials

    def _do(self, call: Callable[[Salesforce], T]) -> T:
        """One call, the session renewed once if Salesforce says it expired, and its errors
        as our sentences."""
        for attempt in (1, 2):
            try:
                return call(self._client())
            except SalesforceExpiredSession as exc:
                if attempt == 2:
                    raise AuthFailed(
                        "Salesforce refused the renewed session: connect again."
                    ) from exc
                self._refresh()
            except SalesforceRefusedRequest as exc:
                raise self._refused(exc) from exc
            except SalesforceMalformedRequest as exc:
                raise RecordRejected(f"Salesforce refused it: {self._message(exc)}") from exc
            except SalesforceResourceNotFound as exc:
                raise ConnectorError(
                    f"Salesforce has no such record or object: {self._message(exc)}"
                ) from exc
            except SalesforceError as exc:
                raise ConnectorError(f"Salesforce answered an error: {self._message(exc)}") from exc
        raise AssertionError("unreachable")

    @staticmethod
    def _errors(exc: SalesforceError) -> list[dict[str, Any]]:
        content = exc.content
        if isinstance(content, dict):
            content = [content]
        return [e for e in content if isinstance(e, dict)] if isinstance(content, list) else []

    def _message(self, exc: SalesforceError) -> str:
        errors = self._errors(exc)
        if not errors:
            return str(exc.content)[:300]
        parts = []
        for error in errors[:3]:
            fields = ", ".join(error.get("fields") or [])
            text = str(error.get("message", "")).strip()
            parts.append(f"{text} ({fields})" if fields else text)
        return "; ".join(parts)[:500]

    def _refused(self, exc: SalesforceRefusedRequest) -> ConnectorError:
        codes = {e.get("errorCode") for e in self._errors(exc)}
        if "REQUEST_LIMIT_EXCEEDED" in codes:
            return ConnectorError(
                "Salesforce says the org has used up its API requests for today; the next "
                "scheduled sync goes on from where this one stopped."
            )
        if "INSUFFICIENT_ACCESS" in codes or "INSUFFICIENT_ACCESS_OR_READONLY" in codes:
            return RecordRejected(f"Salesforce refused it: {self._message(exc)}")
        return AuthFailed(
            f"Salesforce refused the request ({self._message(exc)}): check the connected "
            "user's permissions, or connect again."
        )

    def _query(self, soql: str) -> list[dict[str, Any]]:
        result = self._do(lambda sf: sf.query_all(soql))
        return list(result.get("records", []))

    # -- connecting ---------------------------------------------------------------------------
    def authenticate(self) -> str:
        if not self.instance_url or not self.secret.get("access_token"):
            raise ConnectorError("Connect Salesforce by signing in to it.")
        info = self._do(lambda sf: sf.restful("", method="GET"))
        if not isinstance(info, dict) or "sobjects" not in info:
            raise ConnectorError("This address does not answer like a Salesforce org.")
        user = self.credentials.settings.get("username") or self.credentials.settings.get("user_id")
        host = urlparse(self.instance_url).hostname
        return f"{user} on {host}" if user else str(host)

    def userinfo(self) -> dict[str, Any]:
        """Who signed in and in which org (after the OAuth flow, to name the connection)."""
        http = GuardedSession("Salesforce")
        response = http.get(
            f"{self.instance_url}/services/oauth2/userinfo",
            headers={"Authorization": f"Bearer {self.secret.get('access_token', '')}"},
        )
        if response.status_code == 401:
            raise AuthFailed("Salesforce refused the new session: connect again.")
        try:
            return dict(response.json())
        except ValueError as exc:
            raise ConnectorError("Salesforce's answer about the user could not be read.") from exc

    # -- discovering --------------------------------------------------------------------------
    def objects(self) -> list[RemoteObject]:
        described = self._do(lambda sf: sf.describe())
        names = {o["name"]: o.get("label", o["name"]) for o in described.get("sobjects", [])}
        return [
            RemoteObject(name, names.get(name, label), kind)
            for name, (label, kind) in OBJECTS.items()
            if name in names
        ]

    def _fields_of(self, remote_object: str) -> dict[str, dict[str, Any]]:
        if remote_object not in OBJECTS:
            raise ConnectorError(f"We don't sync Salesforce's {remote_object[:60]}.")
        if remote_object not in self._describe:
            described = self._do(lambda sf: getattr(sf, remote_object).describe())
            self._describe[remote_object] = {f["name"]: f for f in described.get("fields", [])}
        return self._describe[remote_object]

    def fields(self, remote_object: str) -> list[RemoteField]:
        out = []
        for name, spec in sorted(self._fields_of(remote_object).items()):
            sf_type = spec.get("type", "")
            kind = TYPES.get(sf_type)
            if kind is None or name in HIDDEN or kind == "id":
                continue
            if name == "CurrencyIsoCode":
                kind = "currency"
            relation = (spec.get("referenceTo") or [""])[0] if sf_type == "reference" else ""
            out.append(
                RemoteField(
                    name=name,
                    label=spec.get("label") or name,
                    type=kind,
                    required=not spec.get("nillable", True) and bool(spec.get("createable")),
                    read_only=not spec.get("updateable", False)
                    and not spec.get("createable", False),
                    custom=bool(spec.get("custom")),
                    choices=tuple(
                        (str(v["value"]), str(v.get("label") or v["value"]))
                        for v in spec.get("picklistValues") or []
                        if v.get("active", True) and v.get("value")
                    ),
                    relation=relation,
                )
            )
        return out

    # -- reading ------------------------------------------------------------------------------
    def _select(self, remote_object: str, fields: list[str]) -> list[str]:
        known = self._fields_of(remote_object)
        names = ["Id", "SystemModstamp"]
        for field in fields:
            if field not in names and field in known and FIELD_RE.match(field):
                names.append(field)
        return names

    def _value(self, spec: dict[str, Any] | None, value: Any) -> Any:
        if value is None:
            return ""
        if spec and spec.get("type") in NUMERIC and isinstance(value, str):
            # the bulk results are text; a malformed number stays text for the converter to
            # refuse in a sentence (the record goes to the dead-letter list)
            try:
                return Decimal(value) if value != "" else ""
            except InvalidOperation:
                return value
        if spec and spec.get("type") == "boolean" and isinstance(value, str):
            return value.lower() == "true"
        return value

    def _record(self, remote_object: str, row: dict[str, Any], fields: list[str]) -> RemoteRecord:
        known = self._fields_of(remote_object)
        values = {f: self._value(known.get(f), row.get(f)) for f in fields}
        return RemoteRecord(str(row["Id"]), _stamp(str(row["SystemModstamp"])), values)

    def _count(self, remote_object: str, where: str) -> int:
        soql = format_soql("SELECT COUNT() FROM {:literal}{:literal}", remote_object, where)
        return int(self._do(lambda sf: sf.query(soql)).get("totalSize", 0))

    def changes(
        self, remote_object: str, cursor: dict[str, Any], *, limit: int, fields: list[str]
    ) -> ChangePage:
        if cursor.get("bulk_job"):
            return self._bulk_page(remote_object, cursor, limit=limit, fields=fields)
        where = ""
        if cursor.get("since"):
            since = _soql_stamp(str(cursor["since"]))
            after = str(cursor.get("after_id") or "")
            where = format_soql(" WHERE SystemModstamp > {:literal}", since)
            if ID_RE.match(after):
                where += format_soql(" OR (SystemModstamp = {:literal} AND Id > {})", since, after)
        total = None
        if not cursor.get("counted"):
            total = self._count(remote_object, where)
            if not cursor.get("since") and total > self.bulk_threshold():
                return self._bulk_start(remote_object, cursor, total, limit=limit, fields=fields)
        names = self._select(remote_object, fields)
        soql = format_soql(
            "SELECT {:literal} FROM {:literal}{:literal} "
            "ORDER BY SystemModstamp ASC, Id ASC LIMIT {:literal}",
            ", ".join(names), remote_object, where, str(int(limit)),
        )  # fmt: skip
        rows = self._query(soql)
        records = [self._record(remote_object, r, fields) for r in rows]
        next_cursor = dict(cursor, counted=True)
        if records:
            next_cursor.update(since=records[-1].modified, after_id=records[-1].external_id)
        return ChangePage(records, next_cursor, done=len(rows) < limit, total=total)

    @staticmethod
    def bulk_threshold() -> int:
        return int(settings.INTEGRATIONS_BULK_THRESHOLD)

    def _bulk(self, remote_object: str) -> Any:
        """simple-salesforce's Bulk API 2.0 client for the object (its job calls; the results
        are read page by page so the cursor can keep the locator)."""
        return getattr(self._client().bulk2, remote_object)._client

    def _bulk_start(
        self,
        remote_object: str,
        cursor: dict[str, Any],
        total: int,
        *,
        limit: int,
        fields: list[str],
    ) -> ChangePage:
        names = self._select(remote_object, fields)
        soql = format_soql("SELECT {:literal} FROM {:literal}", ", ".join(names), remote_object)
        job = self._do(lambda sf: self._bulk(remote_object).create_job("query", soql))
        # Changes since the job started by the org's clock (its createdDate), not ours: with a
        # clock ahead of ours, every record stamped in our "future" would be read again.
        started = _org_time(job.get("createdDate")) - dt.timedelta(minutes=1)
        next_cursor = dict(
            cursor,
            counted=True,
            bulk_job=str(job["id"]),
            bulk_locator="",
            bulk_since=started.isoformat(timespec="milliseconds"),
        )
        page = self._bulk_page(remote_object, next_cursor, limit=limit, fields=fields)
        page.total = total
        return page

    def _bulk_page(
        self, remote_object: str, cursor: dict[str, Any], *, limit: int, fields: list[str]
    ) -> ChangePage:
        client = self._bulk(remote_object)
        job_id = str(cursor["bulk_job"])
        if not cursor.get("bulk_ready"):
            # (simple-salesforce's wait sleeps before it first looks: a finished job is asked
            # once, and once read from, never again)
            state = self._do(lambda sf: client.get_job(job_id, True)).get("state")
            if state != "JobComplete":
                self._do(lambda sf: client.wait_for_job(job_id, True, 0.2))
        # the results' pages are larger than REST's: fewer round trips for a large import
        size = max(int(limit), int(settings.INTEGRATIONS_BULK_PAGE_SIZE), 1)
        result = self._do(
            lambda sf: client.get_query_results(job_id, str(cursor.get("bulk_locator") or ""), size)
        )
        rows = list(csv.DictReader(io.StringIO(result["records"])))
        records = [self._record(remote_object, r, fields) for r in rows if r.get("Id")]
        locator = result.get("locator") or ""
        if locator:
            return ChangePage(
                records, dict(cursor, bulk_locator=locator, bulk_ready=True), done=False
            )
        # the job is read: from now on, changes since it started
        next_cursor = {k: v for k, v in cursor.items() if not k.startswith("bulk_")} | {
            "since": cursor["bulk_since"],
            "after_id": "",
        }
        return ChangePage(records, next_cursor, done=True)

    def read(
        self, remote_object: str, external_ids: list[str], *, fields: list[str]
    ) -> list[RemoteRecord]:
        ids = [i for i in external_ids if ID_RE.match(str(i))]
        names = self._select(remote_object, fields)
        out = []
        for start in range(0, len(ids), 200):
            rows = self._query(
                format_soql(
                    "SELECT {:literal} FROM {:literal} WHERE Id IN {}",
                    ", ".join(names), remote_object, ids[start : start + 200],
                )
            )  # fmt: skip
            out += [self._record(remote_object, r, fields) for r in rows]
        return out

    def existing_ids(self, remote_object: str) -> Iterator[str]:
        self._fields_of(remote_object)
        after = ""
        while True:
            where = format_soql(" WHERE Id > {}", after) if after else ""
            rows = self._query(
                format_soql(
                    "SELECT Id FROM {:literal}{:literal} ORDER BY Id ASC LIMIT 2000",
                    remote_object, where,
                )
            )  # fmt: skip
            yield from (str(r["Id"]) for r in rows)
            if len(rows) < 2000:
                return
            after = str(rows[-1]["Id"])

    # -- writing ------------------------------------------------------------------------------
    def _typed(self, remote_object: str, values: dict[str, Any]) -> dict[str, Any]:
        known = self._fields_of(remote_object)
        out: dict[str, Any] = {}
        for name, value in values.items():
            spec = known.get(name)
            if spec is None:
                raise RecordRejected(f"Salesforce's {remote_object} has no field {name[:60]}.")
            kind = spec.get("type")
            if value in ("", None) and kind not in (
                "string",
                "textarea",
                "picklist",
                "url",
                "email",
            ):
                out[name] = None
            elif kind in ("double", "currency", "percent"):
                out[name] = float(Decimal(str(value)))
            elif kind in ("int", "long"):
                out[name] = int(Decimal(str(value)))
            elif kind == "date":
                out[name] = str(value)[:10]
            elif kind == "boolean":
                out[name] = bool(value)
            else:
                out[name] = value
        return out

    def upsert(
        self,
        remote_object: str,
        external_id: str | None,
        values: dict[str, Any],
        *,
        origin: str = "",
    ) -> UpsertResult:
        typed = self._typed(remote_object, values)
        sobject = lambda sf: getattr(sf, remote_object)  # noqa: E731
        created = external_id is None
        if created:
            answer = self._do(lambda sf: sobject(sf).create(typed))
            external_id = str(answer["id"])
        elif typed:
            if not ID_RE.match(str(external_id)):
                raise RecordRejected("That is not a Salesforce record id.")
            self._do(lambda sf: sobject(sf).update(external_id, typed))
        rows = self._query(
            format_soql(
                "SELECT SystemModstamp FROM {:literal} WHERE Id = {}",
                remote_object,
                str(external_id),
            )
        )
        if not rows:
            raise RecordRejected("Salesforce no longer has this record.")
        return UpsertResult(str(external_id), _stamp(str(rows[0]["SystemModstamp"])), created)

"""Tryton (https://www.tryton.org), an open-source ERP/CRM, over its JSON-RPC API: parties
are accounts, sale opportunities are opportunities.

Protocol notes (Tryton 8): POST /<db>/rpc/ with {"id", "method", "params"}; a session from
common.db.login goes in `Authorization: Session base64(login:user_id:session)`; every model
call ends with a context; datetimes, dates and Decimals travel as {"__class__": …} objects.
`last_modified_at` (the later of create and write dates) is the change cursor; records
written in one transaction share it, so the cursor breaks ties on id."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.addresses import crm_address_check
from integrations.connectors.base import (
    AuthFailed,
    ChangePage,
    Connector,
    ConnectorError,
    RateLimited,
    RecordRejected,
    RemoteField,
    RemoteObject,
    RemoteRecord,
    TemporaryFailure,
    UpsertResult,
)

TIMEOUT = 30
OBJECTS = {
    "party.party": ("Parties", "account"),
    "sale.opportunity": ("Sale opportunities", "opportunity"),
}
# Modules whose fields are Tryton's own; any other module's field is a custom one.
STANDARD_MODULES = {
    "ir", "res", "party", "company", "currency", "country", "sale_opportunity", "sale",
    "product", "account", "stock", "account_invoice", "account_product", "account_invoice_stock",
    "sale_price_list", "product_price_list",
}  # fmt: skip
TYPES = {
    "char": "text",
    "text": "long_text",
    "integer": "number",
    "biginteger": "number",
    "float": "number",
    "numeric": "number",
    "date": "date",
    "datetime": "datetime",
    "timestamp": "datetime",
    "boolean": "boolean",
    "selection": "choice",
    "many2one": "reference",
}
# read-only bookkeeping the mapping never offers
HIDDEN = {"create_uid", "write_uid", "create_date", "write_date", "last_modified_at", "rec_name"}
# party.party has no web site field of its own: its first "website" contact mechanism
WEBSITE = "website"
# where a record we create in Tryton keeps our id (a party identifier, an opportunity's
# reference), so a create whose answer was lost is found again
ORIGIN_PREFIX = "ecosystem:"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        keys = ("year", "month", "day", "hour", "minute", "second", "microsecond")
        return {"__class__": "datetime", **{k: getattr(value, k) for k in keys}}
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("__class__")
        if kind == "datetime":
            return dt.datetime(
                value["year"], value["month"], value["day"], value["hour"], value["minute"],
                value["second"], value.get("microsecond", 0),
            )  # fmt: skip
        if kind == "date":
            return dt.date(value["year"], value["month"], value["day"])
        if kind == "Decimal":
            return Decimal(value["decimal"])
        if kind == "bytes":
            return None
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _choices(selection: Any) -> tuple[tuple[str, str], ...]:
    """A selection's (value, label) pairs; some are given by a method name instead: none."""
    if not isinstance(selection, list):
        return ()
    return tuple(
        (str(item[0]), str(item[1]))
        for item in selection
        if isinstance(item, (list, tuple)) and len(item) == 2 and item[0] not in (None, "")
    )


def _stamp(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="microseconds") if value else ""


class TrytonConnector(Connector):
    key: ClassVar[str] = "tryton"
    label: ClassVar[str] = "Tryton"

    def __init__(self, credentials) -> None:  # type: ignore[no-untyped-def]
        super().__init__(credentials)
        self.base = str(credentials.settings.get("url", "")).rstrip("/")
        self.database = str(credentials.settings.get("database", ""))
        self.http = requests.Session()
        # production can send every CRM request through an egress proxy that refuses private
        # networks (the check here can't see a DNS answer that changes between two lookups)
        if settings.INTEGRATIONS_EGRESS_PROXY:
            self.http.proxies = {
                "http": settings.INTEGRATIONS_EGRESS_PROXY,
                "https": settings.INTEGRATIONS_EGRESS_PROXY,
            }
        self.http.trust_env = False
        self._auth: str | None = None
        self._context: dict[str, Any] | None = None
        self._fields: dict[str, dict[str, Any]] = {}
        self._currencies: dict[str, int] | None = None
        self._internal_parties: list[int] | None = None
        self._id = 0

    # -- transport ----------------------------------------------------------------------------
    def _post(self, method: str, params: list, *, auth: bool = True) -> Any:
        self._id += 1
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = self._session()
        url = f"{self.base}/{self.database}/rpc/"
        try:
            # every request, not only when the address was typed: a name may point elsewhere
            # by now (the check resolves it again)
            crm_address_check(self.base)
        except ValidationError as exc:
            raise ConnectorError(" ".join(exc.messages)) from exc
        try:
            response = self.http.post(
                url,
                json={"id": self._id, "method": method, "params": _encode(params)},
                headers=headers,
                timeout=TIMEOUT,
                # a redirect could lead the request (and the password in it) anywhere
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise TemporaryFailure("Tryton did not answer in time; we will try again.") from exc
        except requests.ConnectionError as exc:
            raise TemporaryFailure(
                f"Tryton at {self.base} could not be reached; we will try again. If it keeps "
                "failing, check the server's address in the connection's settings."
            ) from exc
        if 300 <= response.status_code < 400:
            raise ConnectorError(
                "Tryton's address answers with a redirect: give the address it redirects to."
            )
        if response.status_code == 429:
            retry = response.headers.get("Retry-After", "")
            raise RateLimited(
                "Tryton asked us to slow down; we will wait and go on.",
                retry_after=float(retry) if retry.replace(".", "", 1).isdigit() else None,
            )
        if response.status_code == 401:
            self._auth = None
            raise AuthFailed(
                "Tryton refused the sign-in. Check the user and password in the connection's "
                "settings (and that the user is still active in Tryton)."
            )
        if response.status_code == 404:
            raise ConnectorError(f"Tryton has no database “{self.database}”.")
        if response.status_code >= 500:
            raise TemporaryFailure(
                f"Tryton answered with a server error ({response.status_code}); we will try again."
            )
        if response.status_code != 200:
            raise ConnectorError(f"Tryton refused the request ({response.status_code}).")
        try:
            body = response.json()
        except ValueError as exc:
            raise TemporaryFailure("Tryton's answer was not JSON; we will try again.") from exc
        if body.get("error"):
            raise self._error(body["error"])
        return _decode(body.get("result"))

    @staticmethod
    def _error(error: Any) -> ConnectorError:
        kind = error[0] if isinstance(error, list) and error else str(error)
        detail = error[1] if isinstance(error, list) and len(error) > 1 else ""
        if kind in ("UserError", "UserWarning", "AccessError", "ConcurrencyException"):
            message = detail[0] if isinstance(detail, list) and detail else str(detail)
            if kind == "ConcurrencyException":
                message = "The record was changed in Tryton while we wrote it"
            return RecordRejected(f"Tryton refused it: {str(message).strip()[:300]}")
        if kind == "LoginException":
            return AuthFailed("Tryton asks for a password: add it to the connection's settings.")
        return ConnectorError(f"Tryton answered an error: {str(kind)[:200]}")

    def _session(self) -> str:
        if self._auth is None:
            secret = self.credentials.secret
            login = str(secret.get("login", ""))
            params = [login, {"password": secret.get("password", "")}, "en"]
            try:
                result = self._post("common.db.login", params, auth=False)
            except ConnectorError as exc:
                if "res.user" not in str(exc):
                    raise
                # trytond loads a database lazily; a login as the very first request after
                # start-up fails once (res.user not loaded yet): wake it, then sign in again
                self.http.get(
                    f"{self.base}/{self.database}/rest/model/res.user",
                    timeout=TIMEOUT,
                    allow_redirects=False,
                )
                result = self._post("common.db.login", params, auth=False)
            if not result or not isinstance(result, list) or len(result) < 2:
                raise AuthFailed("Tryton refused the sign-in: check the user and password.")
            token = base64.b64encode(f"{login}:{result[0]}:{result[1]}".encode()).decode()
            self._auth = f"Session {token}"
        return self._auth

    def _ctx(self) -> dict[str, Any]:
        if self._context is None:
            prefs = self._post("model.res.user.get_preferences", [True, {}]) or {}
            self._context = {
                k: prefs[k] for k in ("company", "employee", "language") if prefs.get(k)
            }
        return self._context

    def _call(self, model: str, method: str, *params: Any) -> Any:
        return self._post(f"model.{model}.{method}", [*params, self._ctx()])

    # -- connecting ---------------------------------------------------------------------------
    def authenticate(self) -> str:
        if not self.base or not self.database:
            raise ConnectorError("Give the Tryton server's address and database.")
        self._auth = None
        self._session()
        user = self._post("model.res.user.get_preferences", [False, {}]) or {}
        self._context = None
        return f"{user.get('name') or self.credentials.secret.get('login')} on {self.database}"

    # -- discovering --------------------------------------------------------------------------
    def objects(self) -> list[RemoteObject]:
        found = self._call(
            "ir.model",
            "search_read",
            [["name", "in", list(OBJECTS)]],
            0,
            None,
            None,
            ["name", "string"],
        )
        labels = {m["name"]: m["string"] for m in found}
        return [
            RemoteObject(name, labels.get(name, label), kind)
            for name, (label, kind) in OBJECTS.items()
            if name in labels
        ]

    def _field_info(self, model: str) -> dict[str, dict[str, Any]]:
        if model not in self._fields:
            self._fields[model] = self._call(model, "fields_get", [])
        return self._fields[model]

    def fields(self, remote_object: str) -> list[RemoteField]:
        info = self._field_info(remote_object)
        modules = {
            f["name"]: f["module"]
            for f in self._call(
                "ir.model.field", "search_read", [["model", "=", remote_object]], 0, None, None,
                ["name", "module"],
            )
        }  # fmt: skip
        out = []
        for name, spec in sorted(info.items()):
            kind = TYPES.get(spec.get("type", ""))
            if kind is None or name in HIDDEN or name.startswith("_"):
                continue
            if name == "currency" and spec.get("relation") == "currency.currency":
                kind = "currency"
            out.append(
                RemoteField(
                    name=name,
                    label=spec.get("string") or name,
                    type=kind,
                    required=bool(spec.get("required")),
                    read_only=bool(spec.get("readonly")) and name != "state",
                    custom=modules.get(name, "") not in STANDARD_MODULES,
                    choices=_choices(spec.get("selection")),
                    relation=spec.get("relation") or "",
                )
            )
        if remote_object == "party.party":
            out.append(RemoteField(WEBSITE, "Web site", "url"))
        return out

    # -- reading ------------------------------------------------------------------------------
    def _names(self, model: str, fields: list[str]) -> list[str]:
        names = ["id", "last_modified_at"]
        for field in fields:
            if field == WEBSITE and model == "party.party":
                continue
            if field == "currency":
                names.append("currency.code")
            elif field not in names:
                names.append(field)
        return names

    def _record(
        self, model: str, row: dict[str, Any], fields: list[str], sites: dict[int, str]
    ) -> RemoteRecord:
        values: dict[str, Any] = {}
        for field in fields:
            if field == WEBSITE and model == "party.party":
                values[field] = sites.get(row["id"], "")
            elif field == "currency":
                values[field] = (row.get("currency.") or {}).get("code", "")
            else:
                value = row.get(field)
                if isinstance(value, (dt.date, Decimal)):
                    value = value.isoformat() if isinstance(value, dt.date) else str(value)
                values[field] = "" if value is None else value
        return RemoteRecord(str(row["id"]), _stamp(row.get("last_modified_at")), values)

    def _websites(self, model: str, ids: list[int], fields: list[str]) -> dict[int, str]:
        if model != "party.party" or WEBSITE not in fields or not ids:
            return {}
        rows = self._call(
            "party.contact_mechanism", "search_read",
            [["party", "in", ids], ["type", "=", "website"]], 0, None, [["id", "ASC"]],
            ["party", "value"],
        )  # fmt: skip
        sites: dict[int, str] = {}
        for row in rows:
            sites.setdefault(row["party"], row["value"])
        return sites

    def _scope(self, remote_object: str) -> list[Any]:
        """Which records of the object are the company's customers and deals: not the parties
        Tryton keeps for its own company and its employees (the sync user's among them)."""
        if remote_object != "party.party":
            return []
        if self._internal_parties is None:
            companies = self._call("company.company", "search_read", [], 0, None, None, ["party"])
            employees = self._call("company.employee", "search_read", [], 0, None, None, ["party"])
            self._internal_parties = sorted(
                {r["party"] for r in [*companies, *employees] if r.get("party")}
            )
        return [["id", "not in", self._internal_parties]] if self._internal_parties else []

    def changes(
        self, remote_object: str, cursor: dict[str, Any], *, limit: int, fields: list[str]
    ) -> ChangePage:
        domain: list[Any] = list(self._scope(remote_object))
        if cursor.get("since"):
            since = dt.datetime.fromisoformat(cursor["since"])
            domain.append(
                [
                    "OR",
                    [["last_modified_at", ">", since]],
                    [
                        ["last_modified_at", "=", since],
                        ["id", ">", int(cursor.get("after_id") or 0)],
                    ],
                ]
            )
        total = None
        if not cursor.get("counted"):
            total = self._call(remote_object, "search_count", domain)
        rows = self._call(
            remote_object, "search_read", domain, 0, limit,
            [["last_modified_at", "ASC"], ["id", "ASC"]], self._names(remote_object, fields),
        )  # fmt: skip
        sites = self._websites(remote_object, [r["id"] for r in rows], fields)
        records = [self._record(remote_object, r, fields, sites) for r in rows]
        next_cursor = dict(cursor, counted=True)
        if rows:
            next_cursor.update(since=records[-1].modified, after_id=rows[-1]["id"])
        return ChangePage(records, next_cursor, done=len(rows) < limit, total=total)

    def read(
        self, remote_object: str, external_ids: list[str], *, fields: list[str]
    ) -> list[RemoteRecord]:
        ids = [int(i) for i in external_ids if str(i).isdigit()]
        if not ids:
            return []
        rows = self._call(
            remote_object, "search_read", [["id", "in", ids], *self._scope(remote_object)], 0,
            None, None, self._names(remote_object, fields),
        )  # fmt: skip
        sites = self._websites(remote_object, [r["id"] for r in rows], fields)
        return [self._record(remote_object, r, fields, sites) for r in rows]

    def existing_ids(self, remote_object: str) -> Iterator[str]:
        offset = 0
        while True:
            ids = self._call(
                remote_object, "search", self._scope(remote_object), offset, 5000, [["id", "ASC"]]
            )
            yield from (str(i) for i in ids)
            if len(ids) < 5000:
                return
            offset += len(ids)

    # -- writing ------------------------------------------------------------------------------
    def _currency_id(self, code: str) -> int:
        if self._currencies is None:
            rows = self._call("currency.currency", "search_read", [], 0, None, None, ["code"])
            self._currencies = {r["code"]: r["id"] for r in rows}
        if code not in self._currencies:
            raise RecordRejected(f"Tryton has no currency {code}: add it in Tryton first.")
        return self._currencies[code]

    def _typed(self, model: str, values: dict[str, Any]) -> dict[str, Any]:
        info = self._field_info(model)
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name == WEBSITE:
                continue
            kind = info.get(name, {}).get("type")
            if name == "currency":
                out[name] = self._currency_id(str(value)) if value else None
            elif value in ("", None) and kind not in ("char", "text", "selection"):
                out[name] = None
            elif kind == "numeric":
                out[name] = Decimal(str(value))
            elif kind == "float":
                out[name] = float(value)
            elif kind in ("integer", "biginteger", "many2one"):
                out[name] = int(value)
            elif kind == "date":
                out[name] = dt.date.fromisoformat(str(value)[:10])
            elif kind == "boolean":
                out[name] = bool(value)
            else:
                out[name] = value
        return out

    def find_by_origin(self, remote_object: str, origin: str) -> str | None:
        if not origin:
            return None
        code = ORIGIN_PREFIX + origin
        if remote_object == "party.party":
            rows = self._call(
                "party.identifier", "search_read", [["code", "=", code]], 0, 1, None, ["party"]
            )
            return str(rows[0]["party"]) if rows else None
        if remote_object == "sale.opportunity":
            ids = self._call(remote_object, "search", [["reference", "=", code]], 0, 1, None)
            return str(ids[0]) if ids else None
        return None

    def upsert(
        self,
        remote_object: str,
        external_id: str | None,
        values: dict[str, Any],
        *,
        origin: str = "",
    ) -> UpsertResult:
        typed = self._typed(remote_object, values)
        website = values.get(WEBSITE) if remote_object == "party.party" else None
        created = external_id is None
        if created:
            if website:
                typed["contact_mechanisms"] = [["create", [{"type": "website", "value": website}]]]
            # our id, where Tryton keeps it, so a create whose answer was lost is found again
            if origin and remote_object == "party.party":
                typed["identifiers"] = [["create", [{"code": ORIGIN_PREFIX + origin}]]]
            elif origin and remote_object == "sale.opportunity" and not typed.get("reference"):
                typed["reference"] = ORIGIN_PREFIX + origin
            (new_id,) = self._call(remote_object, "create", [typed])
            external_id = str(new_id)
        else:
            if typed:
                self._call(remote_object, "write", [int(external_id)], typed)
            if website is not None:
                self._website_set(int(external_id), website)
        (row,) = self._call(remote_object, "read", [int(external_id)], ["last_modified_at"])
        return UpsertResult(external_id, _stamp(row.get("last_modified_at")), created)

    def _website_set(self, party_id: int, website: str) -> None:
        rows = self._call(
            "party.contact_mechanism", "search_read",
            [["party", "=", party_id], ["type", "=", "website"]], 0, 1, [["id", "ASC"]], ["value"],
        )  # fmt: skip
        if rows and rows[0]["value"] != website:
            self._call("party.contact_mechanism", "write", [rows[0]["id"]], {"value": website})
        elif not rows and website:
            self._call(
                "party.contact_mechanism", "create",
                [{"party": party_id, "type": "website", "value": website}],
            )  # fmt: skip

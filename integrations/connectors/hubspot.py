"""HubSpot over its CRM v3 API (through hubspot-api-client): companies are accounts, deals are
opportunities.

- Auth: a private app's token, or the OAuth flow (integrations.connectors.oauth): access tokens last 30
  minutes; an expired one (401 EXPIRED_AUTHENTICATION) is refreshed once and the call
  repeated, and the new tokens are handed to the engine to store.
- Changes: the search API filtered and sorted on `hs_lastmodifieddate`. HubSpot answers at
  most 10,000 results per search, so the cursor re-anchors on the last record's stamp (≥)
  before paging that far: the overlap is read again, harmlessly. Search is rate-limited per
  second (429): the engine waits as HubSpot says.
- A deal's company is its association (deal → company), offered as the field
  `associatedcompany`; read in one batch per page, written through the v4 associations API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from hubspot import HubSpot
from hubspot.crm.associations.v4 import ApiException as AssociationsError
from hubspot.crm.objects import ApiException as ObjectsError
from hubspot.crm.pipelines import ApiException as PipelinesError
from hubspot.crm.properties import ApiException as PropertiesError
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

from integrations.connectors.base import (
    AuthFailed,
    ChangePage,
    Connector,
    ConnectorError,
    Credentials,
    RateLimited,
    RecordRejected,
    RemoteField,
    RemoteObject,
    RemoteRecord,
    TemporaryFailure,
    UpsertResult,
)
from integrations.connectors.http import GuardedSession, retry_after
from integrations.connectors.oauth import oauth_app, secret_renewed

API_ERRORS = (ObjectsError, PropertiesError, PipelinesError, AssociationsError)
OBJECTS = {"companies": ("Companies", "account"), "deals": ("Deals", "opportunity")}
TYPES = {
    "string": "text",
    "number": "number",
    "date": "date",
    "datetime": "datetime",
    "enumeration": "choice",
    "bool": "boolean",
    "phone_number": "text",
}
STAMP = "hs_lastmodifieddate"
COMPANY = "associatedcompany"
# HubSpot's own bookkeeping the mapping never offers
HIDDEN = {STAMP, "createdate", "hs_object_id", "hs_createdate", "lastmodifieddate"}
SEARCH_PAGE = 200
TIMEOUT = 30
# deal → company, HubSpot-defined ("primary" is 5; the plain one 341)
DEAL_TO_COMPANY = 5
T = TypeVar("T")


def _millis(stamp: str) -> str:
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return str(int(moment.timestamp() * 1000))


def _iso(value: Any) -> str:
    """A HubSpot stamp (a datetime from the client, or text) as ISO text with milliseconds."""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


class HubSpotConnector(Connector):
    key: ClassVar[str] = "hubspot"
    label: ClassVar[str] = "HubSpot"
    oauth: ClassVar[bool] = True
    identity_keys: ClassVar[tuple[str, ...]] = ("hub_id",)

    def __init__(self, credentials) -> None:  # type: ignore[no-untyped-def]
        super().__init__(credentials)
        self.secret = dict(credentials.secret)
        self.api = settings.INTEGRATIONS_HUBSPOT_API.rstrip("/")
        self._refreshed = False
        self._client: HubSpot | None = None
        self._properties: dict[str, dict[str, dict[str, Any]]] = {}
        self._stages: list[tuple[str, str]] | None = None

    # -- transport ----------------------------------------------------------------------------
    def _hub(self) -> HubSpot:
        if self._client is None:
            self._client = HubSpot(
                access_token=str(self.secret.get("access_token", "")),
                host=self.api,
                ssl_ca_cert=settings.INTEGRATIONS_CA_BUNDLE or None,
                proxy=settings.INTEGRATIONS_EGRESS_PROXY or None,
                # no retries or redirects inside the client: the engine waits out 429 and 5xx
                # with its backoff, and a redirect is an error (GuardedSession's rules)
                retry=Retry(total=0, redirect=0, status=0, raise_on_redirect=False,
                            raise_on_status=False, respect_retry_after_header=False),
            )  # fmt: skip
        return self._client

    def _refresh(self) -> None:
        app = oauth_app(self.key)
        if app is None or not self.secret.get("refresh_token"):
            raise AuthFailed(
                "HubSpot refused the token (revoked or expired): connect again with a valid "
                "private app token or through HubSpot's sign-in."
            )
        self.secret = secret_renewed(app, self.secret)
        self._refreshed = True
        self._client = None

    def refreshed_secret(self) -> dict[str, Any] | None:
        return dict(self.secret) if self._refreshed else None

    @classmethod
    def from_tokens(cls, tokens: dict[str, Any], settings: dict[str, Any]) -> Credentials:
        secret = {
            "access_token": str(tokens.get("access_token", "")),
            "refresh_token": str(tokens.get("refresh_token", "")),
        }
        credentials = Credentials(settings={"auth": settings.get("auth", "oauth")}, secret=secret)
        credentials.settings.update(cls(credentials).portal())
        return credentials

    @classmethod
    def settings_complete(cls, settings: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
        if settings.get("hub_id"):
            return settings
        return {**settings, **cls(Credentials(settings=settings, secret=secret)).portal()}

    def portal(self) -> dict[str, str]:
        """The settings naming the portal the token belongs to."""
        details = self.account_details()
        return {
            "hub_id": str(details.get("portalId") or ""),
            "hub_domain": str(details.get("uiDomain") or ""),
        }

    @staticmethod
    def _body(exc: Any) -> dict[str, Any]:
        try:
            body = json.loads(exc.body or b"{}")
        except (TypeError, ValueError):
            return {}
        return body if isinstance(body, dict) else {}

    def _message(self, body: dict[str, Any]) -> str:
        details = [
            str(e.get("message", "")).strip()
            for e in body.get("errors") or []
            if isinstance(e, dict)
        ]
        text = "; ".join(d for d in details if d) or str(body.get("message", "")).strip()
        return text[:500] or "no reason given"

    def _do(self, call: Callable[[HubSpot], T]) -> T:
        for attempt in (1, 2):
            try:
                return call(self._hub())
            except API_ERRORS as exc:
                status = int(getattr(exc, "status", 0) or 0)
                body = self._body(exc)
                if status == 401 and attempt == 1 and self.secret.get("refresh_token"):
                    self._refresh()
                    continue
                raise self._error(status, body, exc) from exc
            except (OSError, HTTPError) as exc:  # urllib3's connection errors and timeouts
                raise TemporaryFailure("HubSpot could not be reached; we will try again.") from exc
        raise AssertionError("unreachable")

    def _error(self, status: int, body: dict[str, Any], exc: Any) -> ConnectorError:
        if status == 429:
            headers = dict(getattr(exc, "headers", None) or {})
            wait = retry_after(headers)
            if wait is None and body.get("policyName") == "SECONDLY":
                wait = 1.0
            return RateLimited(
                "HubSpot asked us to slow down; we will wait and go on.", retry_after=wait
            )
        if status >= 500 or status == 0:
            return TemporaryFailure(
                f"HubSpot answered with a server error ({status}); we will try again."
            )
        if status == 401:
            return AuthFailed(
                "HubSpot refused the token (revoked or expired): connect again with a valid "
                "private app token or through HubSpot's sign-in."
            )
        if status == 403:
            return AuthFailed(
                f"HubSpot refused access ({self._message(body)}): the token needs the CRM "
                "companies and deals scopes."
            )
        if status in (400, 409, 422):
            return RecordRejected(f"HubSpot refused it: {self._message(body)}")
        if status == 404:
            return RecordRejected("HubSpot no longer has this record.")
        return ConnectorError(f"HubSpot refused the request ({status}): {self._message(body)}")

    # -- connecting ---------------------------------------------------------------------------
    def authenticate(self) -> str:
        if not self.secret.get("access_token"):
            raise ConnectorError("Give a HubSpot private app token, or sign in to HubSpot.")
        details = self.account_details()
        portal = details.get("portalId") or details.get("hub_id")
        domain = details.get("uiDomain") or details.get("hub_domain") or "HubSpot"
        return f"portal {portal} ({domain})" if portal else str(domain)

    def account_details(self) -> dict[str, Any]:
        """The portal the token belongs to (its id names the connection, and refuses a second
        connection to the same portal)."""
        http = GuardedSession("HubSpot")
        for attempt in (1, 2):
            response = http.get(
                f"{self.api}/account-info/v3/details",
                headers={"Authorization": f"Bearer {self.secret.get('access_token', '')}"},
            )
            if response.status_code == 401 and attempt == 1 and self.secret.get("refresh_token"):
                self._refresh()
                continue
            if response.status_code in (401, 403):
                raise AuthFailed(
                    "HubSpot refused the token: check it (Settings → Integrations → Private "
                    "apps in HubSpot) and that it has the CRM scopes."
                )
            if response.status_code != 200:
                raise ConnectorError(f"HubSpot refused the request ({response.status_code}).")
            try:
                return dict(response.json())
            except ValueError as exc:
                raise ConnectorError("HubSpot's answer could not be read.") from exc
        raise AssertionError("unreachable")

    # -- discovering --------------------------------------------------------------------------
    def objects(self) -> list[RemoteObject]:
        return [RemoteObject(name, label, kind) for name, (label, kind) in OBJECTS.items()]

    def _props(self, remote_object: str) -> dict[str, dict[str, Any]]:
        if remote_object not in OBJECTS:
            raise ConnectorError(f"We don't sync HubSpot's {remote_object[:60]}.")
        if remote_object not in self._properties:
            answer = self._do(
                lambda hub: hub.crm.properties.core_api.get_all(
                    remote_object, archived=False, _request_timeout=TIMEOUT
                )
            )
            self._properties[remote_object] = {p.name: p.to_dict() for p in answer.results}
        return self._properties[remote_object]

    def _deal_stages(self) -> list[tuple[str, str]]:
        if self._stages is None:
            answer = self._do(
                lambda hub: hub.crm.pipelines.pipelines_api.get_all(
                    "deals", _request_timeout=TIMEOUT
                )
            )
            stages: list[tuple[str, str]] = []
            for pipeline in answer.results:
                for stage in sorted(pipeline.stages, key=lambda s: s.display_order or 0):
                    label = (
                        stage.label
                        if len(answer.results) == 1
                        else f"{pipeline.label}: {stage.label}"
                    )
                    stages.append((str(stage.id), str(label)))
            self._stages = stages
        return self._stages

    def fields(self, remote_object: str) -> list[RemoteField]:
        out = []
        for name, spec in sorted(self._props(remote_object).items()):
            kind = TYPES.get(spec.get("type") or "")
            if kind is None or name in HIDDEN:
                continue
            if spec.get("field_type") == "textarea":
                kind = "long_text"
            elif spec.get("field_type") == "booleancheckbox":
                kind = "boolean"
            if name == "deal_currency_code":
                kind = "currency"
            choices = tuple(
                (str(o["value"]), str(o.get("label") or o["value"]))
                for o in spec.get("options") or []
                if not o.get("hidden") and o.get("value") not in (None, "")
            )
            if name == "dealstage":
                choices = tuple(self._deal_stages())
            meta = spec.get("modification_metadata") or {}
            out.append(
                RemoteField(
                    name=name,
                    label=spec.get("label") or name,
                    type=kind,
                    required=name in ("name", "dealname"),
                    read_only=bool(meta.get("read_only_value") or spec.get("calculated")),
                    custom=not spec.get("hubspot_defined"),
                    choices=choices,
                )
            )
        if remote_object == "deals":
            out.append(
                RemoteField(COMPANY, "Associated company", "reference", relation="companies")
            )
        return out

    # -- reading ------------------------------------------------------------------------------
    def _properties_of(self, remote_object: str, fields: list[str]) -> list[str]:
        known = self._props(remote_object)
        return [STAMP] + [f for f in fields if f in known and f != STAMP]

    def _value(self, spec: dict[str, Any] | None, value: Any) -> Any:
        if value is None:
            return ""
        kind = (spec or {}).get("type")
        if kind == "number" and value != "":
            try:
                return Decimal(str(value))
            except InvalidOperation:
                return value  # malformed: the converter refuses it in a sentence
        if kind == "bool":
            return str(value).lower() == "true"
        if kind == "datetime" and value:
            return str(value)[:10] if str(value).endswith("T00:00:00Z") else value
        return value

    def _companies_of(self, deal_ids: list[str]) -> dict[str, str]:
        if not deal_ids:
            return {}
        out: dict[str, str] = {}
        for start in range(0, len(deal_ids), 1000):
            inputs = [{"id": i} for i in deal_ids[start : start + 1000]]
            answer = self._do(
                lambda hub, i=inputs: hub.crm.associations.v4.batch_api.get_page(
                    "deals", "companies", {"inputs": i}, _request_timeout=TIMEOUT
                )
            )
            for result in answer.results:
                to = sorted(
                    result.to,
                    key=lambda t: (
                        not any((a.type_id == DEAL_TO_COMPANY) for a in (t.association_types or []))
                    ),
                )
                if to:
                    out[str(result._from.id)] = str(to[0].to_object_id)
        return out

    def _records(
        self, remote_object: str, rows: list[Any], fields: list[str]
    ) -> list[RemoteRecord]:
        known = self._props(remote_object)
        companies = (
            self._companies_of([str(r.id) for r in rows])
            if remote_object == "deals" and COMPANY in fields
            else {}
        )
        out = []
        for row in rows:
            props = row.properties or {}
            values = {
                f: companies.get(str(row.id), "")
                if f == COMPANY
                else self._value(known.get(f), props.get(f))
                for f in fields
            }
            out.append(RemoteRecord(str(row.id), _iso(row.updated_at), values))
        return out

    def changes(
        self, remote_object: str, cursor: dict[str, Any], *, limit: int, fields: list[str]
    ) -> ChangePage:
        size = max(1, min(int(limit), SEARCH_PAGE))
        after = int(cursor.get("after") or 0)
        if after + size > settings.INTEGRATIONS_HUBSPOT_SEARCH_CAP:
            # HubSpot won't page past 10,000: start a new search from the last stamp read
            cursor = {k: v for k, v in cursor.items() if k != "after"} | {"since": cursor["last"]}
            after = 0
        filters = []
        if cursor.get("since"):
            filters = [
                {"propertyName": STAMP, "operator": "GTE", "value": _millis(cursor["since"])}
            ]
        request = {
            "filterGroups": [{"filters": filters}] if filters else [],
            "sorts": [{"propertyName": STAMP, "direction": "ASCENDING"}],
            "properties": self._properties_of(remote_object, fields),
            "limit": size,
            **({"after": str(after)} if after else {}),
        }
        answer = self._do(
            lambda hub: hub.crm.objects.search_api.do_search(
                remote_object, request, _request_timeout=TIMEOUT
            )
        )
        rows = list(answer.results)
        records = self._records(remote_object, rows, fields)
        next_after = answer.paging.next.after if answer.paging and answer.paging.next else None
        total = None if cursor.get("counted") else int(answer.total or 0)
        next_cursor = dict(cursor, counted=True)
        if records:
            # the search filters on the property, so the cursor follows it (updatedAt is it)
            newest = max(_iso((r.properties or {}).get(STAMP) or r.updated_at) for r in rows)
            next_cursor["last"] = max(newest, str(cursor.get("last") or ""))
        if next_after:
            next_cursor["after"] = int(next_after)
            return ChangePage(records, next_cursor, done=False, total=total)
        # the search is read to its end: the next one starts from the newest stamp seen
        next_cursor.pop("after", None)
        if next_cursor.get("last"):
            next_cursor["since"] = next_cursor["last"]
        return ChangePage(records, next_cursor, done=True, total=total)

    def read(
        self, remote_object: str, external_ids: list[str], *, fields: list[str]
    ) -> list[RemoteRecord]:
        ids = [str(i) for i in external_ids if str(i).isdigit()]
        out: list[RemoteRecord] = []
        for start in range(0, len(ids), 100):
            body = {
                "inputs": [{"id": i} for i in ids[start : start + 100]],
                "properties": self._properties_of(remote_object, fields),
            }
            answer = self._do(
                lambda hub, b=body: hub.crm.objects.batch_api.read(
                    remote_object, b, archived=False, _request_timeout=TIMEOUT
                )
            )
            out += self._records(remote_object, list(answer.results), fields)
        return out

    def existing_ids(self, remote_object: str) -> Iterator[str]:
        after = None
        while True:
            page = self._do(
                lambda hub, a=after: hub.crm.objects.basic_api.get_page(
                    remote_object, limit=100, after=a, archived=False, _request_timeout=TIMEOUT
                )
            )
            yield from (str(r.id) for r in page.results)
            if not (page.paging and page.paging.next):
                return
            after = page.paging.next.after

    # -- writing ------------------------------------------------------------------------------
    def _typed(self, remote_object: str, values: dict[str, Any]) -> dict[str, str]:
        known = self._props(remote_object)
        out: dict[str, str] = {}
        for name, value in values.items():
            if name == COMPANY:
                continue
            spec = known.get(name)
            if spec is None:
                raise RecordRejected(f"HubSpot's {remote_object} have no property {name[:60]}.")
            if value in (None, ""):
                out[name] = ""
            elif spec.get("type") == "bool":
                out[name] = "true" if value else "false"
            elif spec.get("type") == "datetime" and len(str(value)) == 10:
                out[name] = f"{value}T00:00:00Z"  # a date, as HubSpot's midnight UTC
            else:
                out[name] = str(value)
        return out

    def upsert(
        self,
        remote_object: str,
        external_id: str | None,
        values: dict[str, Any],
        *,
        origin: str = "",
    ) -> UpsertResult:
        props = self._typed(remote_object, values)
        company = str(values.get(COMPANY) or "") if remote_object == "deals" else ""
        created = external_id is None
        objects = lambda hub: hub.crm.objects.basic_api  # noqa: E731
        if created:
            body: dict[str, Any] = {"properties": props, "associations": []}
            if company:
                body["associations"] = [
                    {
                        "to": {"id": company},
                        "types": [
                            {
                                "associationCategory": "HUBSPOT_DEFINED",
                                "associationTypeId": DEAL_TO_COMPANY,
                            }
                        ],
                    }
                ]
            row = self._do(
                lambda hub: objects(hub).create(remote_object, body, _request_timeout=TIMEOUT)
            )
            return UpsertResult(str(row.id), _iso(row.updated_at), True)
        if not str(external_id).isdigit():
            raise RecordRejected("That is not a HubSpot record id.")
        if company and COMPANY in values:
            current = self._companies_of([str(external_id)]).get(str(external_id))
            if current != company:
                if current:
                    self._do(
                        lambda hub: hub.crm.associations.v4.basic_api.archive(
                            "deals", external_id, "companies", current, _request_timeout=TIMEOUT
                        )
                    )
                self._do(
                    lambda hub: hub.crm.associations.v4.basic_api.create_default(
                        "deals", external_id, "companies", company, _request_timeout=TIMEOUT
                    )
                )
        row = self._do(
            lambda hub: objects(hub).update(
                remote_object, external_id, {"properties": props}, _request_timeout=TIMEOUT
            )
        )
        return UpsertResult(str(external_id), _iso(row.updated_at), False)

"""A minimal Tryton JSON-RPC client for the tests (plain urllib, independent of the product's
connector), to seed and inspect the local Tryton server."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from tests.crm.tryton import TrytonDatabase

# -- a minimal JSON-RPC client, the shape the connector will have ----------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {
            "__class__": "datetime",
            **{
                k: getattr(value, k)
                for k in ("year", "month", "day", "hour", "minute", "second", "microsecond")
            },
        }
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    raise TypeError(f"not JSON: {value!r}")


def _decode(obj: dict) -> Any:
    kind = obj.get("__class__")
    if kind == "datetime":
        return dt.datetime(
            obj["year"],
            obj["month"],
            obj["day"],
            obj["hour"],
            obj["minute"],
            obj["second"],
            obj["microsecond"],
        )
    if kind == "date":
        return dt.date(obj["year"], obj["month"], obj["day"])
    if kind == "Decimal":
        return Decimal(obj["decimal"])
    return obj


class RpcError(Exception):
    def __init__(self, error: list) -> None:
        super().__init__(error)
        self.error = error


class Tryton:
    def __init__(self, db: TrytonDatabase) -> None:
        self.db = db
        self.header: str | None = None
        self.user_id: int | None = None
        self.ids = 0

    def post(self, method: str, params: list, *, auth: str | None = None) -> tuple[int, Any]:
        """(HTTP status, decoded JSON body or raw text) for one JSON-RPC request."""
        self.ids += 1
        body = json.dumps({"id": self.ids, "method": method, "params": params}, default=_encode)
        headers = {"Content-Type": "application/json"}
        if auth or self.header:
            headers["Authorization"] = auth or self.header  # type: ignore[assignment]
        request = Request(self.db.rpc_url, data=body.encode(), headers=headers)
        try:
            with urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read(), object_hook=_decode)
        except HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def __call__(self, method: str, *params: Any) -> Any:
        status, answer = self.post(method, list(params))
        assert status == 200, (status, answer)
        assert answer["id"] == self.ids
        if "error" in answer:
            raise RpcError(answer["error"])
        return answer["result"]

    def login(self, login: str | None = None, password: str | None = None) -> list:
        login = login or self.db.login
        result = self("common.db.login", login, {"password": password or self.db.password}, "en")
        self.user_id, session = result[0], result[1]
        token = base64.b64encode(f"{login}:{self.user_id}:{session}".encode()).decode()
        self.header = f"Session {token}"
        return result

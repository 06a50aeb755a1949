"""Our records as a sync sees them: per kind, the mapped values of a record in our terms
(JSON-ready, comparable with a link's base), and create / update / archive through the
kind's own services — the same validation, audit, publish step and version checks a person
gets (invariant 9). The actor is the connection's service account."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model

from accounts.models import Account
from accounts.services import (
    account_archive,
    account_create,
    account_update,
    accounts_create_many,
)
from identity.models import User
from integrations.convert import decimal_text
from pipeline.models import Opportunity
from pipeline.services import (
    opportunities_create_many,
    opportunity_archive,
    opportunity_create,
    opportunity_update,
)
from tenants.models import Company
from tenants.selectors import first_owner_id


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def comparable(value: Any) -> Any:
    """Values compared across sides: numbers by value ("10.00" == "10"), the rest as is."""
    try:
        if isinstance(value, str):
            number = Decimal(value)
            if number.is_finite() and value.strip() and value.strip()[0] in "+-0123456789":
                return number.normalize()
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return Decimal(str(value)).normalize()
    except ArithmeticError:  # "1e999999999": text, not a number we can compare
        return value
    return value


def same(a: Any, b: Any) -> bool:
    return comparable(a) == comparable(b)


@dataclass(frozen=True)
class KindAdapter:
    kind: str
    model: type[Model]

    def get(self, local_id: Any) -> Any | None:
        return self.model.objects.filter(pk=local_id).first()

    def values(self, obj: Any, fields: list[str]) -> dict[str, Any]:
        out = {}
        for field in fields:
            if field.startswith("custom."):
                out[field] = _json((obj.custom or {}).get(field.removeprefix("custom.")))
            elif field == "account":
                out[field] = _json(obj.account_id)
            else:
                out[field] = _json(getattr(obj, field))
        return out

    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom = {}
        for field, value in values.items():
            if field.startswith("custom."):
                custom[field.removeprefix("custom.")] = value
            elif field == "account":
                data["account_id"] = value
            elif field == "currency" and not value:
                continue  # a CRM record without one: the company's currency
            else:
                data[field] = value
        if custom:
            data["custom"] = custom
            data["custom_partial"] = True
        return data

    def create(self, *, actor: User, company: Company, values: dict[str, Any]) -> Any:
        data = self._data(values)
        if self.kind == "account":
            return account_create(actor=actor, company=company, data=data)
        data.setdefault("customer_name", "")
        return opportunity_create(
            actor=actor, company=company, data={**data, "owner_id": first_owner_id(company=company)}
        )

    def create_many(
        self, *, actor: User, company: Company, values: list[dict[str, Any]]
    ) -> list[Any]:
        """create for a page of new records at once: per row, the saved record or the
        ValidationError that refused it (IntegrityError for the page if an index refuses one
        after the checks: the caller goes one by one)."""
        rows = [self._data(v) for v in values]
        if self.kind == "account":
            return accounts_create_many(actor=actor, company=company, rows=rows)
        owner = first_owner_id(company=company)
        return opportunities_create_many(
            actor=actor,
            company=company,
            rows=[{"customer_name": "", **row, "owner_id": owner} for row in rows],
        )

    def update(self, *, actor: User, company: Company, obj: Any, values: dict[str, Any]) -> Any:
        data = self._data(values)
        if self.kind == "account":
            return account_update(
                actor=actor, company=company, account=obj, data=data, expected_version=obj.version
            )
        return opportunity_update(
            actor=actor, company=company, opportunity=obj, data=data, expected_version=obj.version
        )

    def archive(self, *, actor: User, company: Company, obj: Any) -> Any:
        if self.kind == "account":
            return account_archive(actor=actor, company=company, account=obj)
        return opportunity_archive(actor=actor, company=company, opportunity=obj)


ADAPTERS = {
    "account": KindAdapter("account", Account),
    "opportunity": KindAdapter("opportunity", Opportunity),
}

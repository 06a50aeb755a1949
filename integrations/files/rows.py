"""One file row → one of our records, through the kind's own services (the same validation,
custom fields, rules and audit a person's edit gets). A row either matches a record we have
(by external id; an account also by domain or name, a solution by name, a partner by name,
domain or workspace address) and updates the fields the file has, or it creates one.

Every refusal is a sentence naming the column, for the check's report and the list of rows
that failed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account
from accounts.services import account_create, account_update
from business.models import Term
from concurrency.versioning import StaleVersion
from identity.models import User
from integrations.convert import Unconvertible, to_local
from integrations.files.columns import Column, columns_of
from integrations.records import same
from partners.relationships.models import PartnerRelationship
from partners.relationships.services import relationship_update
from pipeline.models import Opportunity
from pipeline.services import opportunity_create, opportunity_update
from sharing.network.selectors import active_partners
from solutions.models import Solution
from solutions.services import solution_create, solution_update
from tenants.models import Company, Membership


class RowRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


@dataclass
class RowWriter:
    """Holds what a whole file's rows look up (terms, colleagues, existing records), read
    once per file rather than once per row."""

    kind: str
    company: Company
    actor: User
    membership: Membership
    columns: dict[str, str]  # our key → header
    headers: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        known = {c.key: c for c in columns_of(self.kind)}
        self.mapped = [
            (known[k], self.headers.index(h))
            for k, h in self.columns.items()
            if k in known and h in self.headers
        ]
        self.transform = {
            "date_format": self.options.get("date_format") or "",
            "decimal_comma": bool(self.options.get("decimal_comma")),
        }
        vocabularies = {c.vocabulary for c, _ in self.mapped if c.vocabulary}
        self.terms: dict[str, dict[str, str]] = {v: {} for v in vocabularies}
        self.term_labels: dict[str, list[str]] = {v: [] for v in vocabularies}
        for term in Term.objects.filter(
            vocabulary__key__in=vocabularies, retired_at=None
        ).select_related("vocabulary"):
            table = self.terms[term.vocabulary.key]
            table.setdefault(_norm(term.key), term.key)
            table.setdefault(_norm(term.label), term.key)
            self.term_labels[term.vocabulary.key].append(term.label)
        self.people: dict[str, int] = {}
        if any(c.type == "person" for c, _ in self.mapped):
            self.people = {
                _norm(email): user_id
                for email, user_id in Membership.objects.filter(company=self.company).values_list(
                    "user__email", "user_id"
                )
            }
        self.partners: dict[str, Company] = {}
        if self.kind == "partner":
            for partner in active_partners(company=self.company):
                for key in (partner.name, partner.slug, _site(partner.website)):
                    if key:
                        self.partners.setdefault(_norm(key), partner)
        self.existing: dict[str, Any] = {}

    # -- cells ----------------------------------------------------------------------------
    def _cell(self, column: Column, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if column.required:
                raise Unconvertible(f"{column.label} is empty, and every row needs one.")
            return (
                []
                if column.type in ("list", "domains")
                else ("" if column.type not in ("number", "person") else None)
            )
        if column.type == "choice":
            if column.vocabulary:
                key = self.terms.get(column.vocabulary, {}).get(_norm(value))
                if key is None:
                    options = ", ".join(self.term_labels.get(column.vocabulary, [])[:12])
                    raise Unconvertible(
                        f"“{str(value)[:60]}” is not one of your {column.label.lower()} values ({options})."
                    )
                return key
            table = {_norm(k): k for k, _ in column.choices} | {
                _norm(label): k for k, label in column.choices
            }
            if _norm(value) not in table:
                options = ", ".join(label for _, label in column.choices)
                raise Unconvertible(
                    f"“{str(value)[:60]}” is not a {column.label.lower()} ({options})."
                )
            return table[_norm(value)]
        if column.type == "person":
            user_id = self.people.get(_norm(value))
            if user_id is None:
                raise Unconvertible(
                    f"“{str(value)[:80]}” is not the e-mail address of someone at {self.company.name}."
                )
            return user_id
        if column.type == "list":
            return [part.strip()[:60] for part in re.split(r"[;\n]", str(value)) if part.strip()][
                :50
            ]
        return to_local(
            value, target=column.target, value_map={}, transform=self.transform, terms={}
        )

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """The row in our terms; RowRefused with a sentence per column that didn't convert."""
        out: dict[str, Any] = {}
        errors = []
        for column, index in self.mapped:
            try:
                out[column.key] = self._cell(column, cells[index])
            except Unconvertible as exc:
                errors.append(f"{column.label}: {exc}")
        if errors:
            raise RowRefused(errors)
        return out

    # -- matching ---------------------------------------------------------------------------
    def preload(self, rows: list[list[Any]]) -> None:
        """The records a batch of rows may match, in one query per way of matching."""
        index = (
            self.headers.index(self.columns["external_id"])
            if self.columns.get("external_id") in self.headers
            else None
        )
        if index is not None and self.kind in ("account", "opportunity"):
            ids = {str(r[index]).strip() for r in rows if r[index] not in (None, "")}
            model = Account if self.kind == "account" else Opportunity
            for obj in model.objects.filter(external_id__in=ids):
                self.existing[f"id:{obj.external_id}"] = obj
        if self.kind == "solution" and self.columns.get("name") in self.headers:
            name = self.headers.index(self.columns["name"])
            names = {_norm(r[name]) for r in rows if r[name]}
            for solution in Solution.objects.filter(archived_at=None):
                if _norm(solution.name) in names:
                    self.existing.setdefault(f"name:{_norm(solution.name)}", solution)

    def _match(self, values: dict[str, Any]) -> Any | None:
        if values.get("external_id"):
            found = self.existing.get(f"id:{values['external_id']}")
            if found is not None:
                return found
        if self.kind == "account":
            for domain in values.get("domains") or []:
                found = Account.objects.filter(archived_at=None, domains__contains=[domain]).first()
                if found is not None:
                    return found
            if values.get("name") and not values.get("external_id"):
                return Account.objects.filter(archived_at=None, name__iexact=values["name"]).first()
        if self.kind == "solution" and values.get("name"):
            return self.existing.get(f"name:{_norm(values['name'])}")
        return None

    # -- writing ----------------------------------------------------------------------------
    def _data(self, values: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom = {}
        for key, value in values.items():
            if key.startswith("custom."):
                custom[key.removeprefix("custom.")] = value
            elif key in ("owner", "manager"):
                if value is not None:
                    data[f"{key}_id"] = value
            elif key == "partner":
                continue
            else:
                data[key] = value
        if custom:
            data["custom"] = custom
            data["custom_partial"] = True
        return data

    @staticmethod
    def _current(obj: Any, key: str) -> Any:
        if key.startswith("custom."):
            return (obj.custom or {}).get(key.removeprefix("custom."))
        if key in ("owner", "manager"):
            return getattr(obj, f"{key}_id")
        return getattr(obj, key, None)

    def _changed(self, obj: Any, values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in values.items()
            if k != "partner" and not same(_plain(v), _plain(self._current(obj, k)))
        }

    def write(self, cells: list[Any]) -> str:
        """created / updated / unchanged; RowRefused with sentences otherwise."""
        values = self.values(cells)
        try:
            return self._write(values)
        except ValidationError as exc:
            raise RowRefused(_sentences(exc, self.mapped)) from exc
        except PermissionDenied as exc:
            raise RowRefused([str(exc)]) from exc
        except StaleVersion as exc:
            raise RowRefused(
                ["Someone changed this record while the file was imported: import the row again."]
            ) from exc

    def _write(self, values: dict[str, Any]) -> str:
        actor, company = self.actor, self.company
        if self.kind == "partner":
            partner = self.partners.get(_norm(values.get("partner")))
            if partner is None:
                raise RowRefused(
                    [
                        f"“{str(values.get('partner'))[:80]}” is not one of your partners: invite them from Partners first."
                    ]
                )
            current = PartnerRelationship.objects.filter(partner_id=partner.pk).first()
            if current is not None and not self._changed(current, values):
                return "unchanged"
            relationship_update(
                actor=actor, actor_membership=self.membership, partner=partner,
                data=self._data(values), expected_version=current.version if current else None,
            )  # fmt: skip
            return "updated"
        obj = self._match(values)
        if obj is None:
            data = self._data(values)
            if self.kind == "account":
                created = account_create(actor=actor, company=company, data=data)
            elif self.kind == "opportunity":
                data.setdefault("owner_id", actor.pk)
                created = opportunity_create(actor=actor, company=company, data=data)
            else:
                created = solution_create(actor=actor, company=company, data=data)
            if values.get("external_id"):
                self.existing[f"id:{values['external_id']}"] = created
            if self.kind == "solution":
                self.existing[f"name:{_norm(created.name)}"] = created
            return "created"
        changes = self._changed(obj, values)
        if not changes:
            return "unchanged"
        data = self._data(changes)
        if self.kind == "account":
            account_update(
                actor=actor, company=company, account=obj, data=data, expected_version=obj.version
            )
        elif self.kind == "opportunity":
            opportunity_update(
                actor=actor,
                company=company,
                opportunity=obj,
                data=data,
                expected_version=obj.version,
            )
        else:
            solution_update(
                actor=actor, company=company, solution=obj, data=data, expected_version=obj.version
            )
        return "updated"


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None:
        return ""
    return str(value) if not isinstance(value, (int, float)) or isinstance(value, bool) else value


def _site(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", (url or "").lower()).split("/")[0]


def _sentences(exc: ValidationError, mapped: list[tuple[Column, int]]) -> list[str]:
    labels = {c.key: c.label for c, _ in mapped}
    labels |= {f"{k}_id": v for k, v in list(labels.items())}
    if hasattr(exc, "error_dict"):
        out = []
        for key, messages in exc.message_dict.items():
            label = (
                labels.get(key) or labels.get(f"custom.{key}") or key.replace("_", " ").capitalize()
            )
            out += [f"{label}: {m}" for m in messages] if key != "__all__" else list(messages)
        return out
    return list(exc.messages)

"""Writes to a company's accounts. Accounts never leave the company's schema: nothing here
publishes; a rename reaches partners only through the opportunities that name the customer
(accounts.hooks → the pipeline re-publishes those that are shared)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection as db
from django.db import transaction

from accounts.domains import web_domains_normalize
from accounts.hooks import account_changed
from accounts.models import Account
from accounts.selectors import account_by_domain, account_by_name
from accounts.vocabularies import VOCABULARY_OF
from audit.actions import AuditAction
from business.models import Term
from business.records import (
    collect_errors,
    core_values,
    custom_batch_context,
    custom_changes,
    custom_for_save,
)
from concurrency.versioning import versioned_update
from identity.models import User
from recordkit.external_ids import (
    external_id_clean,
    external_id_errors,
    external_id_race_refused,
    external_ids_errors_batch,
)
from recordkit.services import (
    RecordWrites,
    record_archive,
    record_created,
    record_updated,
    records_created,
)
from tenants.models import Company, Membership
from tenants.selectors import first_owner_id

EDITABLE = (
    "name",
    "external_id",
    "domains",
    "industry",
    "region",
    "market_unit",
    "description",
    "custom",
)
MAX_DESCRIPTION = 10_000


def account_fields(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "external_id": account.external_id,
        "domains": list(account.domains),
        "industry": account.industry,
        "region": account.region,
        "market_unit": account.market_unit,
        "description": account.description,
        "owner_id": account.owner_id,
        "custom": account.custom,
    }


WRITES = RecordWrites(
    kind=Account.kind_key,
    fields_of=account_fields,
    title_of=lambda a: a.name,
    created=AuditAction.ACCOUNT_CREATED,
    updated=AuditAction.ACCOUNT_UPDATED,
    archived=AuditAction.ACCOUNT_ARCHIVED,
)


@dataclass(frozen=True)
class _Lookups:
    """What validating an account asks the database. One save asks one question at a time;
    a batch (accounts_create_many) answers them from what it read once for all its rows."""

    domain_holder: Callable[[str, Any], Account | None]  # (domain, the account's pk)
    term_active: Callable[[str, str], bool]  # (vocabulary, key)
    owner_ok: Callable[[Any], bool]  # (user id)
    external_id: Callable[[Account, Account | None], dict[str, list[str]]]


def _one_by_one(company: Company) -> _Lookups:
    return _Lookups(
        domain_holder=lambda domain, pk: account_by_domain(domain=domain, exclude_pk=pk),
        term_active=lambda vocabulary, key: Term.objects.filter(
            vocabulary__key=vocabulary, key=key, retired_at__isnull=True
        ).exists(),
        owner_ok=lambda user_id: Membership.objects.filter(
            user_id=user_id, company=company, user__is_service_account=False
        ).exists(),
        external_id=lambda account, previous: external_id_errors(
            account, label="account", previous=previous.external_id if previous else None
        ),
    )


def _check_terms(
    account: Account, previous: Account | None, lookups: _Lookups
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, vocabulary in VOCABULARY_OF.items():
        value = getattr(account, field)
        if not value or (previous is not None and getattr(previous, field) == value):
            continue  # blank, or kept as it was (a retired term stays on old records)
        if not lookups.term_active(vocabulary, value):
            label = vocabulary.replace("_", " ")
            errors[field] = [f"Choose one of your {label} (Settings → Vocabularies)."]
    return errors


def _validate(
    account: Account,
    company: Company,
    *,
    previous: Account | None = None,
    lookups: _Lookups | None = None,
) -> None:
    lookups = lookups or _one_by_one(company)
    errors: dict[str, list[str]] = {}
    try:
        # (the external id, the only unique value besides the random pk, is checked below
        # with a sentence)
        account.full_clean(
            exclude=["owner", "domains", "custom", "external_id"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors |= exc.message_dict
    errors |= lookups.external_id(account, previous)
    try:
        account.domains = web_domains_normalize(account.domains)
    except ValidationError as exc:
        errors["domains"] = exc.messages
    else:
        # (only domains this save adds: one the account kept is still its own — another
        # account could not have taken it meanwhile)
        kept = set(previous.domains) if previous is not None else set()
        for domain in (d for d in account.domains if d not in kept):
            other = lookups.domain_holder(domain, account.pk)
            if other is not None:
                errors.setdefault("domains", []).append(
                    f"{domain} is already the domain of the account “{other.name}”: open that "
                    "account, or take the domain off it first."
                )
    if len(account.description) > MAX_DESCRIPTION:
        errors["description"] = [f"Keep the description under {MAX_DESCRIPTION:,} characters."]
    errors |= _check_terms(account, previous, lookups)
    owner_changed = previous is None or previous.owner_id != account.owner_id
    if owner_changed and not lookups.owner_ok(account.owner_id):
        errors["owner"] = ["The owner must be a person in your company."]
    if errors:
        raise ValidationError(errors)


def _customer_locks(*, domains: Any = (), name: str = "") -> None:
    """Holds, until the transaction ends, a lock per domain (and per name when there is no
    domain), so two saves at once can't both find a domain free and make two accounts of one
    customer; and a shared hold on the company's accounts, which a batch takes whole
    (_accounts_lock). Keys carry the schema: companies never wait on each other."""
    try:
        keys = [f"domain:{d}" for d in web_domains_normalize(domains or [])]
    except ValidationError:
        keys = []  # the save refuses them anyway
    if not keys and name:
        keys = [f"name:{' '.join(name.lower().split())}"]
    keys = sorted(set(keys))
    # one statement, its locks taken left to right: the shared one first, the keys in order
    sql = "SELECT pg_advisory_xact_lock_shared(hashtextextended(%s, 0))" + "".join(
        ", pg_advisory_xact_lock(hashtextextended(%s, 0))" for _ in keys
    )
    with db.cursor() as cursor:
        cursor.execute(
            sql, [f"{db.schema_name}:accounts", *(f"{db.schema_name}:account:{k}" for k in keys)]
        )


def _accounts_lock() -> None:
    """A batch of new accounts holds the company's accounts whole until its transaction ends
    (one lock, not one per domain: a batch names thousands); single saves wait, and it waits
    for them."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{db.schema_name}:accounts"]
        )


def _external_id_race(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return external_id_race_refused(
        label="account",
        external_id=data.get("external_id", ""),
    )


def account_create(*, actor: User, company: Company, data: dict[str, Any]) -> Account:
    with _external_id_race(data), transaction.atomic():
        _customer_locks(domains=data.get("domains") or [])
        return _account_create(actor=actor, company=company, data=data)


def _owner_of(actor: User, data: dict[str, Any], default: Callable[[], Any]) -> Any:
    """A new account's owner: the one named, else the person saving it, else (an
    integration's service account saves) the company's first owner."""
    return data.get("owner_id") or (None if actor.is_service_account else actor.pk) or default()


def _account_create(*, actor: User, company: Company, data: dict[str, Any]) -> Account:
    fields = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    account = Account(
        owner_id=_owner_of(actor, data, lambda: first_owner_id(company=company)), **fields
    )
    _, account.custom = collect_errors(
        lambda: _validate(account, company),
        lambda: custom_for_save(
            object_type=Account.kind_key,
            company=company,
            submitted=data.get("custom"),
            core=core_values(account),
        ),
    )
    return record_created(WRITES, actor=actor, company=company, obj=account)


def accounts_create_many(
    *, actor: User, company: Company, rows: list[dict[str, Any]]
) -> list[Account | ValidationError]:
    """account_create for many rows at once (a CRM's initial import): the same checks, with
    what they read — terms, members, domains and external ids taken, the business schema —
    read once for the batch, then one insert and one audit insert. A result per row, in order:
    the saved account or why it wasn't. Two rows of the batch can't claim one domain or id.
    A row the unique index refuses after the checks (a race) raises IntegrityError for the
    batch; the caller saves one by one."""
    default_owner = first_owner_id(company=company)
    accounts, claims = [], []
    for data in rows:
        fields = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
        account = Account(owner_id=_owner_of(actor, data, lambda: default_owner), **fields)
        try:
            account.domains = web_domains_normalize(account.domains)
        except ValidationError:  # (validation names them)
            account.domains = account.domains if isinstance(account.domains, list) else []
        else:
            claims.extend(account.domains)
        accounts.append(account)
    with transaction.atomic():
        _accounts_lock()
        holders: dict[str, Account] = {}
        for other in Account.objects.filter(archived_at=None, domains__overlap=claims or [""]):
            for domain in other.domains:
                holders.setdefault(domain, other)
        active = set(
            Term.objects.filter(
                vocabulary__key__in=set(VOCABULARY_OF.values()), retired_at__isnull=True
            ).values_list("vocabulary__key", "key")
        )
        people = set(
            Membership.objects.filter(
                company=company,
                user__is_service_account=False,
                user_id__in={a.owner_id for a in accounts},
            ).values_list("user_id", flat=True)
        )
        id_errors = dict(
            zip(
                map(id, accounts), external_ids_errors_batch(accounts, label="account"), strict=True
            )
        )
        lookups = _Lookups(
            domain_holder=lambda domain, _pk: holders.get(domain),
            term_active=lambda vocabulary, key: (vocabulary, key) in active,
            owner_ok=lambda user_id: user_id in people,
            external_id=lambda account, _previous: id_errors[id(account)],
        )
        schema = custom_batch_context(object_type=Account.kind_key, company=company)
        results: list[Account | ValidationError] = []
        for account, data in zip(accounts, rows, strict=True):
            try:
                _, account.custom = collect_errors(
                    lambda a=account: _validate(a, company, lookups=lookups),
                    lambda a=account, d=data: custom_for_save(
                        object_type=Account.kind_key,
                        company=company,
                        submitted=d.get("custom"),
                        core=core_values(a),
                        **schema,
                    ),
                )
            except ValidationError as exc:
                results.append(exc)
                continue
            for domain in account.domains:
                holders.setdefault(domain, account)  # a later row can't take it
            results.append(account)
        records_created(
            WRITES,
            actor=actor,
            company=company,
            objs=[a for a in results if isinstance(a, Account)],
        )
    return results


def account_update(
    *,
    actor: User,
    company: Company,
    account: Account,
    data: dict[str, Any],
    expected_version: int,
) -> Account:
    """Saves the edit if nobody saved since `expected_version`; else raises StaleVersion."""
    changes = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    if "external_id" in changes:
        changes["external_id"] = external_id_clean(changes["external_id"])
    if "domains" in changes:
        # saved as validated: the versioned update writes `changes`, not the checked copy
        with contextlib.suppress(ValidationError):  # (bad ones: the validation names them)
            changes["domains"] = web_domains_normalize(changes["domains"] or [])
    if "owner_id" in data:
        changes["owner_id"] = data["owner_id"]
    changes |= custom_changes(
        object_type=Account.kind_key,
        company=company,
        data=data,
        previous=account.custom,
        core={**core_values(account), **changes},
    )
    before = account_fields(account)
    previous = Account(**{f.attname: getattr(account, f.attname) for f in Account._meta.fields})
    with _external_id_race(changes), transaction.atomic():
        if "domains" in changes:
            _customer_locks(domains=changes["domains"])
        versioned_update(
            obj=account,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: _validate(candidate, company, previous=previous),
            snapshot=account_fields,
        )
        record_updated(WRITES, actor=actor, company=company, obj=account, before=before)
        if (account.name, account.domain) != (previous.name, previous.domain):
            account_changed(actor=actor, company=company, account=account)
    return account


def account_archive(*, actor: User, company: Company, account: Account) -> Account:
    """Archived, never deleted: its opportunities keep their customer; a new deal with the
    same domain opens a new account."""
    return record_archive(WRITES, actor=actor, company=company, obj=account)


def account_for_customer(*, actor: User, company: Company, name: str, domain: str) -> Account:
    """The account an opportunity typed with a customer name and domain belongs to: the open
    account with that domain, else (no domain) one of that exact name, else a new one. This is
    how accounts stay one per customer without anyone picking from a list."""
    from_domain = web_domains_normalize([domain]) if domain else []
    with transaction.atomic():
        _customer_locks(domains=from_domain, name=name)
        found = (
            account_by_domain(domain=from_domain[0]) if from_domain else account_by_name(name=name)
        )
        if found is not None:
            return found
        return _account_create(
            actor=actor, company=company, data={"name": name.strip(), "domains": from_domain}
        )

"""Writes to a company's own opportunities. Shared ones are re-published in the same
transaction, through the sharing app's publish step (the only door out of the schema)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404

from accounts.models import Account
from accounts.selectors import account_get
from accounts.services import account_for_customer
from audit.actions import AuditAction
from business.records import (
    collect_errors,
    core_values,
    custom_batch_context,
    custom_changes,
    custom_for_save,
)
from concurrency.versioning import versioned_update
from identity.models import User
from pipeline.models import Opportunity
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
    record_publish_for,
    record_updated,
    records_created,
)
from sharing.models import SharedRecord
from tenants.models import Company, Membership

EDITABLE = (
    "name",
    "external_id",
    "account_id",
    "customer_name",
    "customer_domain",
    "amount",
    "currency",
    "close_date",
    "stage",
    "motion",
    "next_step",
    "private_notes",
    "custom",
)


def opportunity_fields(opportunity: Opportunity) -> dict[str, Any]:
    fields = model_to_dict(opportunity, fields=[f for f in EDITABLE if f != "account_id"])
    return {"account_id": opportunity.account_id, **fields}


def _customer_from(account: Account, domain: str) -> dict[str, Any]:
    """The customer fields an opportunity shows for its account: the account's name, and the
    domain typed if it is one of the account's (else the account's main one)."""
    domain = (domain or "").strip().lower()
    return {
        "account_id": account.pk,
        "customer_name": account.name,
        "customer_domain": domain if domain in account.domains else account.domain,
    }


def _resolve_account(
    *, actor: User, company: Company, data: dict[str, Any], current: Opportunity | None = None
) -> dict[str, Any]:
    """Which account the opportunity is with, as the fields to set: the account named
    (`account_id`) if it changed, else the one the typed customer belongs to (by domain, then
    by name; a new one if none) if the customer changed or the deal has no account yet."""
    account_id = data.get("account_id")
    if account_id and (current is None or str(account_id) != str(current.account_id)):
        try:
            account = account_get(pk=account_id)
        except Http404:
            account = None
        _account_usable(account)
        return _customer_from(account, data.get("customer_domain", ""))  # type: ignore[arg-type]
    name = " ".join(str(data.get("customer_name") or "").split())
    domain = str(data.get("customer_domain") or "")
    if (
        current is not None
        and current.account_id
        and (name, domain)
        == (
            current.customer_name,
            current.customer_domain,
        )
    ):
        return {}
    if not name:
        raise ValidationError({"customer_name": ["Name the customer."]})
    try:
        account = account_for_customer(actor=actor, company=company, name=name, domain=domain)
    except ValidationError as exc:
        raise ValidationError({"customer_domain": exc.messages}) from exc
    return _customer_from(account, domain)


def _account_usable(account: Account | None) -> None:
    """The account a deal names must exist and be open."""
    if account is None:
        raise ValidationError({"account": ["No such account."]})
    if account.archived_at is not None:
        raise ValidationError({"account": ["That account is archived; choose an open one."]})


def _name_or_customer(name: Any, customer_name: str) -> str:
    """A deal's name as saved: the one typed (spaces tidied), else its customer's name — how
    deals read before they had names, and what the API and the sync get when they send none."""
    return " ".join(str(name or "").split()) or customer_name


def _validate(
    opportunity: Opportunity,
    company: Company,
    *,
    owner_changed: bool = True,
    skip_customer: bool = False,
    previous_external_id: str | None = None,
    batch: _Batch | None = None,
) -> None:
    # (the customer's own error, if finding its account failed, is reported once, by that;
    # the external id, the only unique value besides the random pk, is checked below with a
    # sentence; a batch checked the account it names already)
    errors: dict[str, list[str]] = {}
    try:
        opportunity.full_clean(
            exclude=[
                "owner",
                "external_id",
                # (and the account it would have named)
                *(["customer_name", "customer_domain", "account"] if skip_customer else []),
                *(["account"] if batch is not None else []),
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors |= exc.message_dict
    if batch is not None:
        errors |= batch.id_errors[id(opportunity)]
    else:
        errors |= external_id_errors(
            opportunity, label="opportunity", previous=previous_external_id
        )
    if errors:
        raise ValidationError(errors)
    # (an edit that keeps the owner doesn't re-check it: people who left keep their records)
    if owner_changed and not (
        opportunity.owner_id in batch.members
        if batch is not None
        else Membership.objects.filter(user_id=opportunity.owner_id, company=company).exists()
    ):
        raise ValidationError({"owner": ["The owner must be a member of your company."]})


@dataclass(frozen=True)
class _Batch:
    """What validating many new opportunities at once read once for all of them."""

    id_errors: dict[int, dict[str, list[str]]]  # id(opportunity) → its external id's errors
    members: set[Any]


WRITES = RecordWrites(
    kind=Opportunity.kind_key,
    fields_of=opportunity_fields,
    # a shared deal is called by its name on the network; its customer is a field of its own
    title_of=lambda o: o.title,
    created=AuditAction.OPPORTUNITY_CREATED,
    updated=AuditAction.OPPORTUNITY_UPDATED,
    archived=AuditAction.OPPORTUNITY_ARCHIVED,
    published=AuditAction.OPPORTUNITY_PUBLISHED,
)


def _external_id_race(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return external_id_race_refused(
        label="opportunity",
        external_id=data.get("external_id", ""),
    )


def opportunity_create(*, actor: User, company: Company, data: dict[str, Any]) -> Opportunity:
    fields = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    opportunity = Opportunity(owner_id=data.get("owner_id") or actor.pk, **fields)
    with _external_id_race(data), transaction.atomic():
        # first, so the customer's name is the account's; inside the transaction, so a refused
        # opportunity takes a new account back with it
        customer: dict[str, Any] = {}
        account_error = None
        try:
            customer = _resolve_account(actor=actor, company=company, data=data)
        except ValidationError as exc:
            account_error = exc
        for key, value in customer.items():
            setattr(opportunity, key, value)
        opportunity.name = _name_or_customer(opportunity.name, opportunity.customer_name)
        _, opportunity.custom, _ = collect_errors(
            lambda: _validate(opportunity, company, skip_customer=account_error is not None),
            lambda: custom_for_save(
                object_type=Opportunity.kind_key,
                company=company,
                submitted=data.get("custom"),
                core=core_values(opportunity),
            ),
            lambda: _raise(account_error),
        )
        return record_created(WRITES, actor=actor, company=company, obj=opportunity)


def opportunities_create_many(
    *, actor: User, company: Company, rows: list[dict[str, Any]]
) -> list[Opportunity | ValidationError]:
    """opportunity_create for many rows at once (a CRM's initial import): the same checks,
    with what they read — the accounts named, the members, the external ids taken, the business
    schema — read once for the batch, then one insert and one audit insert. A result per row,
    in order. A row that names its customer rather than an account goes through
    opportunity_create (finding or making its account is one row's work). A row the unique
    index refuses after the checks (a race) raises IntegrityError for the batch; the caller
    saves one by one."""
    results: list[Opportunity | ValidationError | None] = [None] * len(rows)
    batch_rows: list[tuple[int, Opportunity, dict[str, Any]]] = []
    with transaction.atomic():
        for index, data in enumerate(rows):
            if data.get("account_id"):
                fields = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
                opportunity = Opportunity(owner_id=data.get("owner_id") or actor.pk, **fields)
                batch_rows.append((index, opportunity, data))
                continue
            try:
                with transaction.atomic():
                    results[index] = opportunity_create(actor=actor, company=company, data=data)
            except ValidationError as exc:
                results[index] = exc
        accounts = Account.objects.in_bulk(
            {str(o.account_id) for _, o, _ in batch_rows if _is_uuid(o.account_id)}
        )
        objs = [o for _, o, _ in batch_rows]
        batch = _Batch(
            id_errors=dict(
                zip(
                    map(id, objs),
                    external_ids_errors_batch(objs, label="opportunity") if objs else [],
                    strict=True,
                )
            ),
            members=set(
                Membership.objects.filter(
                    company=company, user_id__in={o.owner_id for o in objs}
                ).values_list("user_id", flat=True)
            ),
        )
        schema = custom_batch_context(object_type=Opportunity.kind_key, company=company)
        valid = []
        for index, opportunity, data in batch_rows:
            account = accounts.get(_uuid_or_none(opportunity.account_id))
            account_error = None
            try:
                _account_usable(account)
            except ValidationError as exc:
                account_error = exc
            else:
                for key, value in _customer_from(account, data.get("customer_domain", "")).items():  # type: ignore[arg-type]
                    setattr(opportunity, key, value)
            opportunity.name = _name_or_customer(opportunity.name, opportunity.customer_name)
            try:
                _, opportunity.custom, _ = collect_errors(
                    lambda o=opportunity, e=account_error: _validate(
                        o, company, skip_customer=e is not None, batch=batch
                    ),
                    lambda o=opportunity, d=data: custom_for_save(
                        object_type=Opportunity.kind_key,
                        company=company,
                        submitted=d.get("custom"),
                        core=core_values(o),
                        **schema,
                    ),
                    lambda e=account_error: _raise(e),
                )
            except ValidationError as exc:
                results[index] = exc
                continue
            results[index] = opportunity
            valid.append(opportunity)
        records_created(WRITES, actor=actor, company=company, objs=valid)
    return [r for r in results if r is not None]


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _is_uuid(value: Any) -> bool:
    return _uuid_or_none(value) is not None


def _raise(error: ValidationError | None) -> None:
    if error is not None:
        raise error


def opportunities_follow_account(*, actor: User | None, company: Company, account: Account) -> None:
    """An account was renamed or its main domain changed: its open opportunities name the
    customer as it now does, and the shared ones are re-published (accounts.hooks). A deal
    named as its customer was (the default name) is renamed with it."""
    for opportunity in Opportunity.objects.filter(account=account, archived_at=None):
        customer = _customer_from(account, opportunity.customer_domain)
        if (opportunity.customer_name, opportunity.customer_domain) == (
            customer["customer_name"],
            customer["customer_domain"],
        ):
            continue
        before = opportunity_fields(opportunity)
        if opportunity.name in ("", opportunity.customer_name):
            opportunity.name = customer["customer_name"]
        opportunity.customer_name = customer["customer_name"]
        opportunity.customer_domain = customer["customer_domain"]
        opportunity.version += 1
        opportunity.save(
            update_fields=["name", "customer_name", "customer_domain", "version", "updated_at"]
        )
        record_updated(WRITES, actor=actor, company=company, obj=opportunity, before=before)


def opportunity_update(
    *,
    actor: User,
    company: Company,
    opportunity: Opportunity,
    data: dict[str, Any],
    expected_version: int,
) -> Opportunity:
    """Saves the edit if nobody saved since `expected_version`; else raises EditConflict."""
    changes = {k: v for k, v in data.items() if k in EDITABLE and k != "custom"}
    if "external_id" in changes:
        changes["external_id"] = external_id_clean(changes["external_id"])
    if "owner_id" in data:
        changes["owner_id"] = data["owner_id"]
    changes |= custom_changes(
        object_type=Opportunity.kind_key,
        company=company,
        data=data,
        previous=opportunity.custom,
        core={**core_values(opportunity), **changes},
    )
    before = opportunity_fields(opportunity)
    with _external_id_race(changes), transaction.atomic():
        changes |= _resolve_account(
            actor=actor,
            company=company,
            data={**opportunity_fields(opportunity), **changes},
            current=opportunity,
        )
        if "name" in changes:  # cleared: the customer's name, as for a new deal
            changes["name"] = _name_or_customer(
                changes["name"], changes.get("customer_name", opportunity.customer_name)
            )
        versioned_update(
            obj=opportunity,
            changes=changes,
            expected_version=expected_version,
            validate=lambda candidate: _validate(
                candidate,
                company,
                owner_changed=candidate.owner_id != opportunity.owner_id,
                previous_external_id=opportunity.external_id,
            ),
            snapshot=opportunity_fields,
        )
        record_updated(WRITES, actor=actor, company=company, obj=opportunity, before=before)
    return opportunity


def opportunity_archive(*, actor: User, company: Company, opportunity: Opportunity) -> Opportunity:
    return record_archive(WRITES, actor=actor, company=company, obj=opportunity)


def opportunity_publish(*, actor: User, company: Company, opportunity: Opportunity) -> SharedRecord:
    """Makes the opportunity shareable: its network copy exists (still with no partner on the
    list until one is added)."""
    return record_publish_for(WRITES, actor=actor, company=company, obj=opportunity)

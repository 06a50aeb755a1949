"""Applies an owner's field policy to the participations on its records: computes, in the
owner's schema, which fields each participant may not read (sharing.records.withholding) and stores
the list on the participation in one UPDATE. Runs inside the caller's transaction, so a new
entry, a changed policy, a partner re-classified or a deal role re-assigned takes effect on
the next request."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection

from business.policy import sharing_policy
from business.withholding import withheld_for
from kinds import kinds_shared
from sharing.hooks import partner_types_of
from sharing.models import DealRole, Participation, SharedRecord
from sharing.records.cross_schema import owner_schema_unscoped
from tenants.models import Company

_ROLE_KEYS = ("", *DealRole.values)


def owner_field_rules(owner: Company) -> dict[str, dict]:
    """The owner's withholding rules per record kind (read in its schema)."""
    with owner_schema_unscoped(owner):
        return sharing_policy().withheld_fields or {}


def withheld_from_partner(
    *, owner: Company, partner: Company, kind: str, record: SharedRecord | None
) -> list[str]:
    """What the owner's field policy withholds, or would withhold, from `partner` on one
    record ("view as" before and after sharing): its part in the deal counts if the owner
    set it, as in withholding_refresh."""
    rules = owner_field_rules(owner).get(kind) or {}
    if not rules:
        return []
    part = Participation.objects.filter(record=record, company=partner).first() if record else None
    with owner_schema_unscoped(owner):
        partner_type = partner_types_of([partner.pk])[partner.pk]
    return withheld_for(
        rules=rules,
        partner_type=partner_type,
        deal_role=part.deal_role if part and part.deal_role_set_by_owner else "",
    )


def withholding_refresh_all(owner: Company) -> int:
    """After the owner's field policy changed: every participant on every record it owns."""
    return withholding_refresh(owner=owner)


def withholding_refresh(
    *,
    owner: Company,
    partner_ids: Iterable[int] | None = None,
    record_ids: Iterable | None = None,
) -> int:
    """Recomputes `withheld` for the participants (not the owner) on `owner`'s records,
    optionally only for some partners or records. Returns how many participations changed."""
    record_ids = None if record_ids is None else list(record_ids)
    scope = Participation.objects.filter(record__owner=owner).exclude(company=owner)
    if partner_ids is not None:
        scope = scope.filter(company_id__in=list(partner_ids))
    if record_ids is not None:
        scope = scope.filter(record_id__in=list(record_ids))
    rules = {kind: fields for kind, fields in owner_field_rules(owner).items() if fields}
    if not rules:
        return scope.exclude(withheld=[]).update(withheld=[])
    companies = sorted(set(scope.values_list("company_id", flat=True)))
    if not companies:
        return 0
    with owner_schema_unscoped(owner):
        types = partner_types_of(companies)
    mapping = [
        {
            "company_id": company_id,
            "kind": kind,
            "role_key": role,
            "withheld": withheld_for(
                rules=rules.get(kind, {}), partner_type=types[company_id], deal_role=role
            ),
        }
        for company_id in companies
        for kind in {spec.key for spec in kinds_shared()}
        for role in _ROLE_KEYS
    ]
    participation = Participation._meta.db_table
    record = SharedRecord._meta.db_table
    sql = f"""
        UPDATE {participation} AS p SET withheld = m.withheld
        FROM {record} AS r,
             jsonb_to_recordset(%s::jsonb)
                 AS m(company_id bigint, kind text, role_key text, withheld varchar(60)[])
        WHERE p.record_id = r.id AND r.owner_id = %s AND p.company_id <> %s
          AND p.company_id = m.company_id AND r.kind = m.kind
          AND (CASE WHEN p.deal_role_set_by_owner THEN p.deal_role ELSE '' END) = m.role_key
          AND p.withheld IS DISTINCT FROM m.withheld
    """  # noqa: S608 (table names from the models; values are parameters)
    params: list = [json.dumps(mapping), owner.pk, owner.pk]
    if record_ids is not None:
        sql += " AND p.record_id = ANY(%s::uuid[])"
        params.append([str(pk) for pk in record_ids])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

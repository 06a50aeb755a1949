"""The only place code acting for one company enters another company's schema: the schema of
the company that owns a shared record (invariant 8). Two doors, both named for it:

- `owner_schema_unscoped(owner)`: to apply the owner's own policy to the owner's records on
  the network, whoever's action caused it — which fields its policy withholds from a
  participant (a participant's manager may add a partner), which fields it shares at all
  (checked when a participant edits). Only sharing's record services call it; they never
  return the policy itself, only its effect on the owner's record.
- `record_owner_schema_unscoped(record, actor, actor_company)`: for a company that takes part
  in the record (owner or on its list), to write its collaborative edit back into the owner's
  own record; any other company gets 404.

Anything else about another company (its labels, mappings, policies) stays out of reach; a
test keeps every other module from switching schemas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404

from identity.models import User
from sharing.models import SharedRecord
from sharing.records.access import role_on_record
from tenants.models import Company
from tenants.schemas import company_schema


@contextmanager
def owner_schema_unscoped(owner: Company) -> Iterator[None]:
    """Enters the schema of a shared record's owner to apply the owner's policy (see above)."""
    with company_schema(owner):
        yield


@contextmanager
def record_owner_schema_unscoped(
    record: SharedRecord, *, actor: User, actor_company: Company
) -> Iterator[None]:
    """Enters the schema of `record`'s owner for `actor` working for `actor_company`; a
    company that does not take part in the record gets Http404, like any invisible record."""
    if role_on_record(user=actor, company=actor_company, record=record) is None:
        raise Http404("No such record.")
    with owner_schema_unscoped(record.owner):
        yield

"""The only place one company's code enters another company's schema: the schema of the
company that owns a shared record, for a company that takes part in that record (owner or
on its sharing list). Used to write a participant's collaborative edit back into the owner's
own record; anything else about another company stays out of reach (invariant 8)."""

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
def record_owner_schema_unscoped(
    record: SharedRecord, *, actor: User, actor_company: Company
) -> Iterator[None]:
    """Enters the schema of `record`'s owner for `actor` working for `actor_company`; a
    company that does not take part in the record gets Http404, like any invisible record."""
    if role_on_record(user=actor, company=actor_company, record=record) is None:
        raise Http404("No such record.")
    with company_schema(record.owner):
        yield

"""The one way code moves the database connection between schemas (invariant 8).

Requests arrive in their host's schema and tasks in the schema they were queued from; code
that must work somewhere else enters it here, by purpose:

- `network_schema()`: the public schema, for network tables and network-wide cache keys.
- `company_schema(company)`: a company's own schema, for work done for that company — its
  policy applied by its own people's share, its records recomputed by its own task.

Reading another company's schema is never done for its own sake: the only crossing, into
the schema of a record's owner, lives in `sharing.records.cross_schema` and first checks that the
acting company takes part in the record. A test keeps every other module from switching
schemas itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import Company


@contextmanager
def network_schema() -> Iterator[None]:
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        yield


@contextmanager
def company_schema(company: Company | str) -> Iterator[None]:
    """`company`'s schema (a Company or its schema name), entered only if the connection is
    not there already (entering costs a round trip to set the search path)."""
    name = company if isinstance(company, str) else company.schema_name
    if connection.schema_name == name:
        yield
        return
    with schema_context(name):
        yield

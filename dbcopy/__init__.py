"""Many new rows of one model written with PostgreSQL's COPY, in the caller's transaction.

A CRM's initial import writes tens of thousands of records, audit entries and links. Django's
bulk_create builds one INSERT whose every value psycopg's client-side binding quotes in Python
(a regular expression per string, per array element): most of an import's time. COPY FROM STDIN
sends the same values through psycopg's copy protocol, formatted by its C dumpers, with no SQL
to build. Row triggers and constraints run as for an INSERT; what bulk_create does for the
objects (their defaults, auto_now fields, database-side ids, `_state`) is done here too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def _ids_allocate(connection: Any, model: type[Model], count: int) -> list[int]:
    """Ids from the table's own sequence (identity or serial), so COPY can carry them and the
    objects know theirs, as bulk_create's RETURNING would tell them."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def rows_copied(objs: Sequence[Model]) -> list[Model]:
    """Inserts `objs` (new, unsaved, of one concrete model) with one COPY and returns them
    saved. A unique or check constraint that refuses one row refuses them all
    (IntegrityError), as bulk_create would."""
    if not objs:
        return []
    # the connection itself, not django.db.connection's proxy: a value's preparation asks it
    # for features and operations a dozen times per row
    connection = connections[DEFAULT_DB_ALIAS]
    model = type(objs[0])
    meta = model._meta
    assert all(type(obj) is model for obj in objs), "one model per COPY"
    assert not meta.parents, "multi-table inheritance needs an insert per table"
    pk = meta.pk
    if pk.db_returning and any(obj.pk is None for obj in objs):
        for obj, new_id in zip(objs, _ids_allocate(connection, model, len(objs)), strict=True):
            setattr(obj, pk.attname, new_id)
    fields = [f for f in meta.concrete_fields if not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    connection.ensure_connection()
    prepare = [(f.pre_save, f.get_db_prep_save, f.name) for f in fields]
    # (Django's error wrapping, as its cursor gives a query: a refused row is an IntegrityError)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(statement) as copy,
    ):
        for obj in objs:
            copy.write_row(_values(connection, obj, prepare))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def _values(connection: Any, obj: Model, prepare: list[tuple[Any, Any, str]]) -> list[Any]:
    values = []
    for pre_save, prep, name in prepare:
        value = pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(
                f"{type(obj).__name__}.{name} holds an SQL expression, which COPY "
                "cannot carry: save such objects with bulk_create"
            )
        values.append(prep(value, connection))
    return values

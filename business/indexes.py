"""Expression indexes for custom fields that lists sort by. An admin marks a field "indexed";
its company schema then gets two btree indexes on the JSONB value (ascending and descending,
both with empty values last, each with the id as tie-breaker), which is exactly the ORDER BY
business.query builds, so a sorted page reads 50 rows off the index instead of sorting every
match. Unindexed fields still sort, by reading all matching rows."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from business.models import FieldDefinition, FieldType
from business.registry import model_for
from kinds import kind_get
from tenants.schemas import company_schema

logger = logging.getLogger(__name__)

INDEXABLE = (
    FieldType.NUMBER,
    FieldType.MONEY,
    FieldType.PERCENT,
    FieldType.DATE,
    FieldType.CHOICE,
    FieldType.TEXT,
    FieldType.USER,
)


def _names(definition: FieldDefinition) -> tuple[str, str]:
    spec = kind_get(definition.object_type)
    base = f"cf_{spec.short if spec is not None else 'x'}_{definition.key}"
    return f"{base}_asc", f"{base}_desc"


def _expression(object_type_field: str, key: str) -> sql.Composable:
    if object_type_field == FieldType.MONEY:
        return sql.SQL("((custom -> {key} -> 'amount'))").format(key=sql.Literal(key))
    return sql.SQL("((custom -> {key}))").format(key=sql.Literal(key))


def sort_indexes_sync(definition: FieldDefinition) -> None:
    """Creates or drops the field's sort indexes to match definition.indexed (and retired),
    in a background task queued once the caller's transaction has committed: building an
    index on a long table must hold neither the transaction that saved the definition nor the
    admin's request, and outside a transaction PostgreSQL builds it CONCURRENTLY, without
    blocking writes to the records."""
    model = model_for(definition.object_type)
    if model is None:
        return
    wanted = definition.indexed and not definition.retired_at and definition.field_type in INDEXABLE
    schema = connection.schema_name
    kwargs = {
        "schema_name": schema,
        "table": model._meta.db_table,
        "names": list(_names(definition)),
        "key": definition.key,
        "field_type": definition.field_type,
        "wanted": bool(wanted),
    }
    transaction.on_commit(
        lambda: sort_indexes_build.apply_async(kwargs=kwargs, headers={"_schema_name": schema})
    )


@shared_task(name="business.sort_indexes_build", ignore_result=True)
def sort_indexes_build(
    *, schema_name: str, table: str, names: list[str], key: str, field_type: str, wanted: bool
) -> None:
    """The index work itself, in the company's schema (an argument as well as the routing
    header, so an eager run from another schema still works there). A failure is logged with
    the index's name: lists still sort without it, only slower."""
    expression = _expression(field_type, key) if wanted else None
    try:
        _sync(schema=schema_name, table=table, names=(names[0], names[1]), expression=expression)
    except DatabaseError:
        logger.exception("sort index %s on %s.%s could not be built", names, schema_name, table)


def _sync(
    *, schema: str, table: str, names: tuple[str, str], expression: sql.Composable | None
) -> None:
    # inside a transaction still (a test's, or an eager run within a caller's atomic block)
    # CONCURRENTLY is not allowed; the plain form gives the same index
    concurrently = sql.SQL("" if connection.in_atomic_block else "CONCURRENTLY ")
    with company_schema(schema), connection.cursor() as cursor:
        raw = connection.connection
        for name, direction in zip(names, ("ASC", "DESC"), strict=True):
            if expression is None:
                statement = sql.SQL("DROP INDEX {c}IF EXISTS {name}").format(
                    c=concurrently, name=sql.Identifier(name)
                )
                cursor.execute(statement.as_string(raw))
                continue
            _drop_if_failed(cursor, raw, schema=schema, name=name, concurrently=concurrently)
            statement = sql.SQL(
                "CREATE INDEX {c}IF NOT EXISTS {name} ON {table} "
                "({expression} {direction} NULLS LAST, id)"
            ).format(
                c=concurrently,
                name=sql.Identifier(name),
                table=sql.Identifier(table),
                expression=expression,
                direction=sql.SQL(direction),
            )
            cursor.execute(statement.as_string(raw))


def _drop_if_failed(cursor, raw, *, schema: str, name: str, concurrently) -> None:  # type: ignore[no-untyped-def]
    """A concurrent build that failed leaves an invalid index behind, which IF NOT EXISTS would
    keep forever: drop it, unless a build of it is still running."""
    cursor.execute(
        "SELECT NOT i.indisvalid AND NOT EXISTS ("
        "  SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relname = %s AND n.nspname = %s",
        [name, schema],
    )
    row = cursor.fetchone()
    if row is not None and row[0]:
        cursor.execute(
            sql.SQL("DROP INDEX {c}IF EXISTS {name}")
            .format(c=concurrently, name=sql.Identifier(name))
            .as_string(raw)
        )

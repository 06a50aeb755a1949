"""Expression indexes for custom fields that lists sort by. An admin marks a field "indexed";
its company schema then gets two btree indexes on the JSONB value (ascending and descending,
both with empty values last, each with the id as tie-breaker), which is exactly the ORDER BY
business.query builds, so a sorted page reads 50 rows off the index instead of sorting every
match. Unindexed fields still sort, by reading all matching rows."""

from __future__ import annotations

from functools import partial

from django.db import connection, transaction
from psycopg import sql

from business.models import FieldDefinition, FieldType
from business.registry import model_for
from kinds import kind_get
from tenants.schemas import company_schema

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
    once the caller's transaction has committed: building an index on a long table must not
    hold the transaction (and its locks) that saved the definition, and outside a transaction
    PostgreSQL can build it CONCURRENTLY, without blocking writes to the records."""
    model = model_for(definition.object_type)
    if model is None:
        return
    wanted = definition.indexed and not definition.retired_at and definition.field_type in INDEXABLE
    transaction.on_commit(
        partial(
            _sync,
            schema=connection.schema_name,
            table=model._meta.db_table,
            names=_names(definition),
            expression=_expression(definition.field_type, definition.key) if wanted else None,
        )
    )


def _sync(
    *, schema: str, table: str, names: tuple[str, str], expression: sql.Composable | None
) -> None:
    # inside a transaction still (a test's, or a caller's own atomic block) CONCURRENTLY is
    # not allowed; the plain form gives the same index
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
            # a concurrent build that failed leaves an invalid index behind: build it again
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relname = %s AND n.nspname = %s",
                [name, schema],
            )
            row = cursor.fetchone()
            if row is not None and row[0]:
                continue
            if row is not None:
                cursor.execute(
                    sql.SQL("DROP INDEX {c}{name}")
                    .format(c=concurrently, name=sql.Identifier(name))
                    .as_string(raw)
                )
            statement = sql.SQL(
                "CREATE INDEX {c}{name} ON {table} ({expression} {direction} NULLS LAST, id)"
            ).format(
                c=concurrently,
                name=sql.Identifier(name),
                table=sql.Identifier(table),
                expression=expression,
                direction=sql.SQL(direction),
            )
            cursor.execute(statement.as_string(raw))

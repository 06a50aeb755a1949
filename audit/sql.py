"""SQL for the append-only guarantee, shared by the network and the company audit logs."""


def append_only_sql(table: str) -> tuple[str, str]:
    """(forward, backward) SQL: a trigger that refuses UPDATE and DELETE on `table`. The
    function is created in the schema the migration runs in (first on the search_path)."""
    forward = f"""
        CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
    """
    backward = f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
    return forward, backward

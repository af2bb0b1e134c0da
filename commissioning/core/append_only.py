"""Database triggers that make tables append-only, on PostgreSQL and SQLite.

Used from migrations: `append_only_operation("core_auditevent")`. The triggers refuse UPDATE
and DELETE whoever asks, the ORM, the shell or raw SQL. (TRUNCATE, which only the database
owner can run, is left alone so test databases can be emptied.)
"""

from __future__ import annotations

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION commissioning_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are append-only: write a new row instead', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _forward(table: str):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(PG_FUNCTION, None)
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION commissioning_refuse_change();"
            )
        elif vendor == "sqlite":
            for event in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only: "
                    f"write a new row instead'); END;"
                )
        else:
            raise NotImplementedError(f"append-only triggers for {vendor}")

    return apply


def _backward(table: str):
    def revert(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event};")

    return revert


def append_only_operation(table: str) -> migrations.RunPython:
    return migrations.RunPython(_forward(table), _backward(table))

"""Database triggers that make tables append-only, on PostgreSQL and SQLite.

Used from migrations: `append_only_operation("core_auditevent")`. The triggers refuse UPDATE
and DELETE whoever asks, the ORM, the shell or raw SQL. On SQLite they also refuse an INSERT
that would replace a row (`INSERT OR REPLACE`, `REPLACE INTO`): SQLite deletes the old row
for it without firing DELETE triggers, so a BEFORE INSERT trigger refuses any new row whose
primary key or unique key is already taken. (On PostgreSQL, `INSERT ... ON CONFLICT DO
UPDATE` fires the UPDATE trigger.) TRUNCATE, which only the database owner can run, is left
alone so test databases can be emptied.
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
            _sqlite_refuse_replace(schema_editor, table)
        else:
            raise NotImplementedError(f"append-only triggers for {vendor}")

    return apply


def _backward(table: str):
    def revert(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            for event in ("update", "delete", "replace"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event};")

    return revert


def append_only_operation(table: str) -> migrations.RunPython:
    return migrations.RunPython(_forward(table), _backward(table))


def _unique_keys(cursor, table: str) -> list[list[str]]:
    """The table's primary key and each unique index over the whole table, as lists of
    columns (SQLite). A partial unique index (`... WHERE`) is left out: the product's
    connections run with `recursive_triggers`, so a REPLACE through one fires the DELETE
    trigger instead."""
    columns = cursor.execute(f"PRAGMA table_info({table})").fetchall()
    keys = [[c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]]
    for index in cursor.execute(f"PRAGMA index_list({table})").fetchall():
        if index[2] and not index[4]:  # unique, not partial
            keys.append([c[2] for c in cursor.execute(f"PRAGMA index_info({index[1]})").fetchall()])
    return [k for k in keys if k]


def _sqlite_refuse_replace(schema_editor, table: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        keys = _unique_keys(cursor, table)
    taken = " OR ".join(
        "(" + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")" for key in keys
    )
    # Table and column names come from our own migrations, never from input.
    schema_editor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "  # noqa: S608
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
        f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are append-only: "
        f"a new row cannot replace one'); END;"
    )


def refuse_replace_operation(table: str) -> migrations.RunPython:
    """For tables made append-only before SQLite's REPLACE was refused too."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            _sqlite_refuse_replace(schema_editor, table)

    def revert(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace;")

    return migrations.RunPython(apply, revert)


def reinstate_after_remake_operation(table: str) -> migrations.RunPython:
    """After a migration that makes SQLite rebuild `table` (adding a NOT NULL column does:
    it copies the rows into a new table and drops the old one, and its triggers with it),
    put the append-only triggers back. PostgreSQL alters the table in place and keeps them."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            _backward(table)(apps, schema_editor)
            _forward(table)(apps, schema_editor)

    def revert(apps, schema_editor):
        pass

    return migrations.RunPython(apply, revert)

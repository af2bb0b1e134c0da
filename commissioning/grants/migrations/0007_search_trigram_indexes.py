"""Trigram indexes for the round dashboard's search on PostgreSQL (`pg_trgm`): the search
compares UPPER(reference) and UPPER(title) with LIKE '%word%', which these indexes serve, so
a search reads the applications that match rather than every application of the round.
SQLite has no such index and scans the round, as before (fast enough there: see
docs/benchmarks.md). `pg_trgm` is a trusted extension: a database's owner may create it."""

from django.db import migrations

INDEXES = {
    "grants_application_reference_trgm": "reference",
    "grants_application_title_trgm": "title",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON grants_application '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("grants", "0006_dashboard_indexes")]

    operations = [migrations.RunPython(create, drop)]

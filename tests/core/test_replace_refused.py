"""Append-only rows cannot be rewritten by inserting over them: SQLite's INSERT OR REPLACE
(which deletes the old row without firing DELETE triggers) and PostgreSQL's
INSERT ... ON CONFLICT DO UPDATE are refused on every append-only table."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

APPEND_ONLY = [
    "core_auditevent",
    "core_message",
    "budgets_allocation",
    "budgets_allocationversion",
    "budgets_findingexplanation",
    "budgets_ledgerentry",
    "decisions_decisionsnapshot",
    "decisions_determination",
    "decisions_publishedgrant",
    "decisions_publishedversion",
    "decisions_redaction",
    "decisions_signature",
    "formula_crimedataload",
    "formula_formulaadoption",
    "formula_formularun",
    "formula_formularunarea",
    "grants_applicationevent",
    "grants_rounddecision",
    "yearend_collection",
    "yearend_receivable",
    "yearend_repayment",
]
# Tables the LLR example (loaded once for the test session) has rows in.
WITH_ROWS = [
    "core_auditevent",
    "budgets_allocation",
    "budgets_allocationversion",
    "budgets_ledgerentry",
    "decisions_decisionsnapshot",
    "decisions_determination",
    "decisions_publishedversion",
    "decisions_signature",
    "formula_crimedataload",
]


def _triggers() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            rows = cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall()
        else:
            cursor.execute(
                "SELECT event_object_table, trigger_name FROM information_schema.triggers"
            )
            rows = cursor.fetchall()
    found: dict[str, set[str]] = {}
    for table, name in rows:
        found.setdefault(table, set()).add(name)
    return found


@pytest.mark.django_db
def test_every_append_only_table_has_its_guards():
    triggers = _triggers()
    for table in APPEND_ONLY:
        if connection.vendor == "sqlite":
            expected = {f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace"}
        else:
            expected = {f"{table}_append_only"}
        assert expected <= triggers.get(table, set()), table


@pytest.mark.django_db
@pytest.mark.parametrize("table", WITH_ROWS)
def test_inserting_over_a_row_is_refused(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), min(id) FROM {table}")
        count, first = cursor.fetchone()
        assert count > 0, f"the example has no rows in {table}"
        if connection.vendor == "sqlite":
            statement = f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = %s"
        else:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name <> 'id' ORDER BY ordinal_position",
                [table],
            )
            column = cursor.fetchone()[0]
            statement = (
                f"INSERT INTO {table} SELECT * FROM {table} WHERE id = %s "
                f"ON CONFLICT (id) DO UPDATE SET {column} = EXCLUDED.{column}"
            )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement, [first])
        cursor.execute(f"SELECT count(*), min(id) FROM {table}")
        assert cursor.fetchone() == (count, first)

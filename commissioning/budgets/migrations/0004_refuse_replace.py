"""SQLite deletes a row that INSERT OR REPLACE displaces without firing DELETE triggers, so
the append-only tables also refuse a new row whose key is taken (see core/append_only.py)."""

from django.db import migrations

from commissioning.core.append_only import refuse_replace_operation


class Migration(migrations.Migration):
    dependencies = [("budgets", "0003_ledger_append_only")]

    operations = [
        refuse_replace_operation("budgets_allocation"),
        refuse_replace_operation("budgets_allocationversion"),
        refuse_replace_operation("budgets_ledgerentry"),
    ]

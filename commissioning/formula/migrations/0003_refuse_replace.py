"""SQLite deletes a row that INSERT OR REPLACE displaces without firing DELETE triggers, so
the append-only tables also refuse a new row whose key is taken (see core/append_only.py)."""

from django.db import migrations

from commissioning.core.append_only import refuse_replace_operation


class Migration(migrations.Migration):
    dependencies = [("formula", "0002_runs_append_only")]

    operations = [
        refuse_replace_operation("formula_crimedataload"),
        refuse_replace_operation("formula_formulaadoption"),
        refuse_replace_operation("formula_formularun"),
        refuse_replace_operation("formula_formularunarea"),
    ]

"""SQLite deletes a row that INSERT OR REPLACE displaces without firing DELETE triggers, so
the append-only tables also refuse a new row whose key is taken (see core/append_only.py)."""

from django.db import migrations

from commissioning.core.append_only import refuse_replace_operation


class Migration(migrations.Migration):
    dependencies = [("decisions", "0004_published_grants")]

    operations = [
        refuse_replace_operation("decisions_decisionsnapshot"),
        refuse_replace_operation("decisions_determination"),
        refuse_replace_operation("decisions_publishedgrant"),
        refuse_replace_operation("decisions_publishedversion"),
        refuse_replace_operation("decisions_redaction"),
        refuse_replace_operation("decisions_signature"),
    ]

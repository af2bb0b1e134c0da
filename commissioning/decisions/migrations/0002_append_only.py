from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [
        append_only_operation("decisions_decisionsnapshot"),
        append_only_operation("decisions_signature"),
        append_only_operation("decisions_redaction"),
        append_only_operation("decisions_determination"),
        append_only_operation("decisions_publishedversion"),
    ]

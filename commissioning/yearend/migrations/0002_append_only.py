from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("yearend", "0001_initial")]
    operations = [
        append_only_operation(table)
        for table in ("yearend_collection", "yearend_receivable", "yearend_repayment")
    ]

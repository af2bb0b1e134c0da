from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_initial")]
    operations = [
        append_only_operation("budgets_allocation"),
        append_only_operation("budgets_allocationversion"),
        append_only_operation("budgets_ledgerentry"),
    ]

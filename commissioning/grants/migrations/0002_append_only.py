from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [
        append_only_operation("grants_applicationevent"),
        append_only_operation("grants_rounddecision"),
    ]

from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0003_messages")]
    operations = [append_only_operation("core_message")]

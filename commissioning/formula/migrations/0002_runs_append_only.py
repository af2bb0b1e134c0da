from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("formula", "0001_initial")]
    operations = [
        append_only_operation("formula_formularun"),
        append_only_operation("formula_formularunarea"),
        append_only_operation("formula_formulaadoption"),
        append_only_operation("formula_crimedataload"),
    ]

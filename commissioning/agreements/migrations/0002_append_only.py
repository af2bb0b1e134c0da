from django.db import migrations

from commissioning.core.append_only import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [
        append_only_operation(table)
        for table in (
            "agreements_agreementterms",
            "agreements_acceptance",
            "agreements_returnevent",
            "agreements_spendingimport",
            "agreements_spendingwithdrawal",
            "agreements_spendingitem",
        )
    ]

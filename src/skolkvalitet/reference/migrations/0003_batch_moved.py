# ImportBatch moved to the batches app; the table is unchanged, so only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0001_initial"),
        ("reference", "0002_value_unit_and_note"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="referencevalue",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="batches.importbatch"
                    ),
                ),
                migrations.AlterField(
                    model_name="similarmunicipality",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="batches.importbatch"
                    ),
                ),
            ],
        ),
    ]

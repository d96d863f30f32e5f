# ImportBatch and ImportJournal moved to the batches app (their tables keep their names); only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0003_batch_moved"),
        ("results", "0006_batch_moved"),
        ("batches", "0001_initial"),
        ("ingest", "0004_ss12000_sync"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="importbatch",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="importbatch",
                    name="rolled_back_by",
                ),
                migrations.AlterField(
                    model_name="importjob",
                    name="batch",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="batches.importbatch",
                    ),
                ),
                migrations.RemoveField(
                    model_name="importjournal",
                    name="batch",
                ),
                migrations.DeleteModel(
                    name="ImportBatch",
                ),
                migrations.DeleteModel(
                    name="ImportJournal",
                ),
            ],
        ),
    ]

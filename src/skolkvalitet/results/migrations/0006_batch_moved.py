# ImportBatch moved to the batches app; the table is unchanged, so only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0001_initial"),
        ("results", "0005_grade_final_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="absence",
                    name="batch",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="batches.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="assessment",
                    name="batch",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="batches.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="grade",
                    name="batch",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="batches.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="nationaltest",
                    name="batch",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="batches.importbatch",
                    ),
                ),
                migrations.AlterField(
                    model_name="preschoolgroupfact",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="batches.importbatch"
                    ),
                ),
                migrations.AlterField(
                    model_name="surveyresult",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="batches.importbatch"
                    ),
                ),
                migrations.AlterField(
                    model_name="unitstafffact",
                    name="batch",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="batches.importbatch"
                    ),
                ),
            ],
        ),
    ]

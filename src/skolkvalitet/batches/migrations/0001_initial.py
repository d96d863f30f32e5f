# The batch and journal models moved here from the ingest app. Their tables keep their names
# (ingest_importbatch, ingest_importjournal), so this only changes Django's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ingest", "0004_ss12000_sync"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ImportBatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=32)),
                        ("source_name", models.CharField(max_length=255)),
                        (
                            "file_sha256",
                            models.CharField(blank=True, db_index=True, max_length=64),
                        ),
                        ("rows", models.PositiveIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("applied", "Applied"), ("rolled_back", "Rolled back")],
                                default="applied",
                                max_length=16,
                            ),
                        ),
                        ("rolled_back_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "rolled_back_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "ingest_importbatch", "ordering": ["-created_at"]},
                ),
                migrations.CreateModel(
                    name="ImportJournal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("table", models.CharField(max_length=64)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("created", "Created"),
                                    ("superseded", "Superseded"),
                                    ("updated", "Updated"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("columns", models.JSONField()),
                        ("rows", models.JSONField()),
                        (
                            "batch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="journal",
                                to="batches.importbatch",
                            ),
                        ),
                    ],
                    options={"db_table": "ingest_importjournal", "ordering": ["id"]},
                ),
            ],
        ),
    ]

# Each organiser's own retention period (operations/retention/); None: the installation's default.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0008_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="node",
            name="retention_years",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                verbose_name="retention period for pupil-level data (years)",
            ),
        ),
    ]

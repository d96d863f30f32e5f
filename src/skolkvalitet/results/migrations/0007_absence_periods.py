# Absence per period (issue 14): each pupil's absence at a unit is stored per period of a term
# (a month, a week, or the whole term), so that it sums to any date. Each existing row held a
# whole term: it becomes one period spanning its term, so every term and academic-year figure
# stays exactly as it was.

from django.db import migrations, models


def periods_from_terms(apps, schema_editor):
    """Each stored term row becomes the period from its term's first to its last day."""
    schema_editor.execute(
        "UPDATE results_absence SET "
        "starts_on = (SELECT start_date FROM organisation_term "
        "WHERE organisation_term.id = results_absence.term_id), "
        "ends_on = (SELECT end_date FROM organisation_term "
        "WHERE organisation_term.id = results_absence.term_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0006_organiser_spelling"),
        ("results", "0006_batch_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="absence",
            name="starts_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="absence",
            name="ends_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(periods_from_terms, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="absence",
            name="starts_on",
            field=models.DateField(),
        ),
        migrations.AlterField(
            model_name="absence",
            name="ends_on",
            field=models.DateField(),
        ),
        migrations.RemoveConstraint(
            model_name="absence",
            name="unique_absence",
        ),
        migrations.AddConstraint(
            model_name="absence",
            constraint=models.UniqueConstraint(
                fields=("pupil", "term", "unit", "starts_on"), name="unique_absence_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="absence",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                name="absence_period_ordered",
            ),
        ),
    ]

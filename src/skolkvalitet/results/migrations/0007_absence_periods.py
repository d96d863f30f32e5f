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


def terms_from_periods(apps, schema_editor):
    """Backwards: the periods of a pupil's term at a unit become one row holding their sums
    (the row of the first period keeps them), as the term's absence was stored before."""
    group = (
        "b.pupil_id = results_absence.pupil_id AND b.unit_id = results_absence.unit_id "
        "AND b.term_id = results_absence.term_id"
    )
    sums = ", ".join(
        f"{column} = (SELECT SUM(b.{column}) FROM results_absence b WHERE {group})"
        for column in ("scheduled_minutes", "absent_minutes", "unexcused_minutes")
    )
    schema_editor.execute(
        f"UPDATE results_absence SET {sums} "
        f"WHERE id = (SELECT MIN(b.id) FROM results_absence b WHERE {group})"
    )
    schema_editor.execute(
        "DELETE FROM results_absence WHERE id NOT IN (SELECT MIN(id) FROM results_absence "
        "GROUP BY pupil_id, unit_id, term_id)"
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
        # Only backwards: before one row per term is unique again, its periods are summed.
        migrations.RunPython(migrations.RunPython.noop, terms_from_periods, elidable=False),
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

# Retention periods are the organiser's (organisation 0009, Node.retention_years), so a year is
# erased for one organiser and may be kept for another: ErasedYear names its organiser. A year
# erased before this migration was erased for the whole installation, so it becomes erased for
# every organiser the database holds.

import django.db.models.deletion
from django.db import migrations, models


def erased_for_every_organiser(apps, schema_editor):
    ErasedYear = apps.get_model("indicators", "ErasedYear")
    Node = apps.get_model("organisation", "Node")
    organisers = list(
        Node.objects.filter(kind="organiser").order_by("pk").values_list("pk", flat=True)
    )
    for erased in ErasedYear.objects.filter(organiser__isnull=True):
        if not organisers:
            erased.delete()
            continue
        erased.organiser_id = organisers[0]
        erased.save(update_fields=["organiser"])
        for organiser in organisers[1:]:
            ErasedYear.objects.create(
                organiser_id=organiser,
                academic_year_id=erased.academic_year_id,
                erased_at=erased.erased_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_values_index_by_breakdown_and_indicator"),
        ("organisation", "0009_node_retention_years"),
    ]

    operations = [
        migrations.AlterField(
            model_name="erasedyear",
            name="academic_year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.academicyear",
            ),
        ),
        migrations.AddField(
            model_name="erasedyear",
            name="organiser",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.node",
            ),
        ),
        migrations.RunPython(erased_for_every_organiser, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="erasedyear",
            name="organiser",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.node",
            ),
        ),
        migrations.AddConstraint(
            model_name="erasedyear",
            constraint=models.UniqueConstraint(
                fields=("organiser", "academic_year"), name="erased_year_once_per_organiser"
            ),
        ),
    ]

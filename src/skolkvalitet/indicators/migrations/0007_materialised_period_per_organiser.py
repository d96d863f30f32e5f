"""The period records become per organiser (MaterialisedPeriod.organiser_id): the records of
before are replaced by one per organiser whose nodes hold the period's values, counted once
from the values table."""

from django.db import migrations, models

NO_ORGANISER = 0


def record_per_organiser(apps, schema_editor):
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    MaterialisedPeriod = apps.get_model("indicators", "MaterialisedPeriod")
    Node = apps.get_model("organisation", "Node")
    MaterialisedPeriod.objects.all().delete()
    organisers = list(Node.objects.filter(kind="organiser").values_list("pk", "path"))
    counted = models.Q()
    for organiser_id, path in organisers:
        of_organiser = models.Q(node__path__startswith=path)
        counted |= of_organiser
        _record(IndicatorValue.objects.filter(of_organiser), organiser_id, MaterialisedPeriod)
    # Values of nodes under no organiser (a database built without one).
    rest = IndicatorValue.objects.exclude(counted) if organisers else IndicatorValue.objects
    _record(rest, NO_ORGANISER, MaterialisedPeriod)


def record_per_period(apps, schema_editor):
    """Back: one record per family and period for the whole database, as before."""
    IndicatorValue = apps.get_model("indicators", "IndicatorValue")
    MaterialisedPeriod = apps.get_model("indicators", "MaterialisedPeriod")
    MaterialisedPeriod.objects.all().delete()
    _record(IndicatorValue.objects.all(), NO_ORGANISER, MaterialisedPeriod)


def _record(values, organiser_id, MaterialisedPeriod):
    seen = (
        values.values("family", "period_kind", "period_id")
        .annotate(rows=models.Count("id"), data_version=models.Max("data_version"))
        .order_by()
    )
    MaterialisedPeriod.objects.bulk_create(
        MaterialisedPeriod(organiser_id=organiser_id, **row) for row in seen
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_erased_year_per_organiser"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="materialisedperiod", name="unique_materialised_period"
        ),
        migrations.AddField(
            model_name="materialisedperiod",
            name="organiser_id",
            field=models.BigIntegerField(default=NO_ORGANISER),
            preserve_default=False,
        ),
        migrations.RunPython(record_per_organiser, record_per_period),
        migrations.AddConstraint(
            model_name="materialisedperiod",
            constraint=models.UniqueConstraint(
                fields=("organiser_id", "family", "period_kind", "period_id"),
                name="unique_materialised_period_per_organiser",
            ),
        ),
    ]

# An import belongs to the organiser whose units it wrote to (issue 15, finding 7): the
# organiser of each stored batch is found from what it wrote. A batch of published reference
# figures belongs to none.

import django.db.models.deletion
from django.db import migrations, models

# The tables whose rows carry their batch and their unit (ingest/writing/tables.py).
FACT_TABLES = (
    "results_grade",
    "results_assessment",
    "results_nationaltest",
    "results_absence",
    "results_surveyresult",
    "results_unitstafffact",
    "results_preschoolgroupfact",
)
# Kinds of batch that hold published reference figures (reference/imports.py).
REFERENCE_KINDS = ("skolverket", "kolada", "nation")


def _root(path: str | None) -> int | None:
    if not path or path.count("/") < 2:
        return None
    return int(path.split("/")[1])


def organisers_backfill(apps, schema_editor):
    ImportBatch = apps.get_model("batches", "ImportBatch")
    ImportJournal = apps.get_model("batches", "ImportJournal")
    Node = apps.get_model("organisation", "Node")
    Enrolment = apps.get_model("organisation", "Enrolment")
    connection = schema_editor.connection
    tables = set(connection.introspection.table_names())
    fact_tables = [t for t in FACT_TABLES if t in tables]
    roots = list(Node.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    only_organiser = roots[0] if len(roots) == 1 else None
    pending = ImportBatch.objects.filter(organiser__isnull=True).exclude(kind__in=REFERENCE_KINDS)
    for batch in pending.iterator():
        organiser = None
        with connection.cursor() as cursor:
            for table in fact_tables:
                cursor.execute(
                    f"SELECT n.path FROM {table} f JOIN organisation_node n ON n.id = f.unit_id "
                    "WHERE f.batch_id = %s LIMIT 1",
                    [batch.pk],
                )
                row = cursor.fetchone()
                if row:
                    organiser = _root(row[0])
                    break
        if organiser is None:
            for entry in ImportJournal.objects.filter(batch=batch, action="created"):
                ids = [row[0] for row in entry.rows]
                if entry.table == "organisation_node":
                    path = Node.objects.filter(pk__in=ids).values_list("path", flat=True).first()
                elif entry.table == "organisation_enrolment":
                    path = (
                        Enrolment.objects.filter(pk__in=ids)
                        .values_list("unit__path", flat=True)
                        .first()
                    )
                else:
                    continue
                organiser = _root(path)
                if organiser is not None:
                    break
        organiser = organiser or only_organiser
        if organiser is not None:
            ImportBatch.objects.filter(pk=batch.pk).update(organiser_id=organiser)


class Migration(migrations.Migration):
    dependencies = [
        ("batches", "0001_initial"),
        ("organisation", "0006_organiser_spelling"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="organiser",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organisation.node",
            ),
        ),
        migrations.RunPython(organisers_backfill, migrations.RunPython.noop),
    ]

"""The shipped on-track scale in Lgr22's words: "lägst E" instead of "kunskapskraven".

Only rows still holding the old shipped texts change, so an organiser's own edits stay.
"""

from django.db import migrations

OLD = {
    "name": "Når / riskerar att inte nå kunskapskraven",
    "reaches": "Når kunskapskraven",
    "at_risk": "Riskerar att inte nå kunskapskraven",
}
NEW = {
    "name": "Når lägst E / riskerar att inte nå lägst E",
    "reaches": "Når lägst E",
    "at_risk": "Riskerar att inte nå lägst E",
}


def _reword(apps, old: dict[str, str], new: dict[str, str]) -> None:
    AssessmentScale = apps.get_model("results", "AssessmentScale")
    for scale in AssessmentScale.objects.filter(code="on_track"):
        if scale.name == old["name"]:
            scale.name = new["name"]
        for value in scale.values:
            key = value.get("value")
            if key in old and value.get("label") == old[key]:
                value["label"] = new[key]
        scale.save(update_fields=["name", "values"])


def forwards(apps, schema_editor):
    _reword(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _reword(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("results", "0007_absence_periods")]
    operations = [migrations.RunPython(forwards, backwards)]

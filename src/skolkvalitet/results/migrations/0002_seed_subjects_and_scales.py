from django.db import migrations


def seed(apps, schema_editor):
    from skolkvalitet.results.scales import ASSESSMENT_SCALES
    from skolkvalitet.results.subjects import SUBJECTS

    Subject = apps.get_model("results", "Subject")
    AssessmentScale = apps.get_model("results", "AssessmentScale")
    for order, s in enumerate(SUBJECTS):
        Subject.objects.update_or_create(
            code=s.code,
            defaults={
                "name_sv": s.name_sv,
                "name_en": s.name_en,
                "category": s.category,
                "sort_order": order,
            },
        )
    for scale in ASSESSMENT_SCALES:
        AssessmentScale.objects.update_or_create(
            code=scale["code"], defaults={"name": scale["name"], "values": scale["values"]}
        )


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

# One spelling: the stored node kind "organizer" becomes "organiser" and the role
# "organizer_admin" becomes "organiser_admin"; the unused proxy models of the node kinds go.

from django.db import migrations, models

SPELLINGS = (("kind", "organizer", "organiser"),)
ROLE_SPELLINGS = (("organizer_admin", "organiser_admin"),)


def respell(apps, schema_editor, *, forward: bool = True) -> None:
    Node = apps.get_model("organisation", "Node")
    RoleAssignment = apps.get_model("organisation", "RoleAssignment")
    for field, old, new in SPELLINGS:
        before, after = (old, new) if forward else (new, old)
        Node.objects.filter(**{field: before}).update(**{field: after})
    for old, new in ROLE_SPELLINGS:
        before, after = (old, new) if forward else (new, old)
        RoleAssignment.objects.filter(role=before).update(role=after)


def respell_back(apps, schema_editor) -> None:
    respell(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0005_pupil_coordination_number"),
    ]

    operations = [
        migrations.DeleteModel(
            name="Area",
        ),
        migrations.DeleteModel(
            name="Group",
        ),
        migrations.DeleteModel(
            name="Organizer",
        ),
        migrations.DeleteModel(
            name="SchoolUnit",
        ),
        migrations.AlterField(
            model_name="node",
            name="kind",
            field=models.CharField(
                choices=[
                    ("organiser", "Organiser"),
                    ("area", "Area"),
                    ("unit", "School unit"),
                    ("group", "Group"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="roleassignment",
            name="role",
            field=models.CharField(
                choices=[
                    ("organiser_admin", "Organiser administration"),
                    ("analyst", "Quality strategist / analyst"),
                    ("unit_head", "Head of unit"),
                    ("teacher", "Teacher / preschool teacher"),
                    ("board", "Board"),
                    ("coach", "Coach / external adviser"),
                ],
                max_length=24,
            ),
        ),
        migrations.RunPython(respell, respell_back),
    ]

"""The fourteen default intervention areas of Portugal's municipal plans (their names come
from the interface's translations: ``localplans.enums.DefaultArea``)."""

from django.db import migrations

DEFAULT_AREAS = [
    "reception", "labour", "housing", "education", "training", "culture", "health",
    "solidarity", "citizenship", "media", "racism", "international", "religion", "justice",
]  # fmt: skip


def add_default_areas(apps, schema_editor):
    area = apps.get_model("localplans", "InterventionArea")
    for position, code in enumerate(DEFAULT_AREAS, start=1):
        area.objects.get_or_create(code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("localplans", "0001_initial")]

    operations = [migrations.RunPython(add_default_areas, migrations.RunPython.noop)]

"""Notes the platform writes are stored as a code with values (cases.system_notes), so that each
reader reads them in their language. The notes written before, in whichever language the writer
used, are recognised in every interface language and given their code."""

import re

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

# The sentences as they were when this migration was written (cases.system_notes.SENTENCES).
SENTENCES = {
    "referred": "Referred to %(service)s.",
    "filed_as_new_case": (
        "This message names case %(reference)s, but it did not come from one of that case's "
        "contacts, so it was filed as a new case."
    ),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(sentence: str) -> re.Pattern[str]:
    parts = PLACEHOLDER.split(sentence)
    # split() alternates literal text and placeholder names.
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    languages = {"en", *(code for code, _name in settings.LANGUAGES)}
    for code, sentence in SENTENCES.items():
        for language in sorted(languages):
            with translation.override(language):
                patterns.append((code, _pattern(translation.gettext(sentence))))
    return patterns


def name_the_notes(apps, schema_editor):  # type: ignore[no-untyped-def]
    Interaction = apps.get_model("cases", "Interaction")
    patterns = _patterns()
    notes = Interaction.objects.filter(channel="note", direction="internal", note_code="")
    for note in notes.only("pk", "body").iterator():
        for code, pattern in patterns:
            match = pattern.fullmatch(note.body.strip())
            if match:
                Interaction.objects.filter(pk=note.pk).update(
                    note_code=code, note_values=match.groupdict()
                )
                break


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_unverified_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="note_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="interaction",
            name="note_values",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(name_the_notes, migrations.RunPython.noop),
    ]

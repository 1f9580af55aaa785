"""`coop4int check_translations`: fail when the gettext catalogues are stale or incomplete.

Stale: a message in the code or templates that a catalogue lacks, or a catalogue message that
is no longer used. Incomplete: a message left untranslated or fuzzy. The catalogues are
re-extracted with makemessages and restored afterwards, so the check changes nothing.
Refresh them with: coop4int makemessages -a --no-location --no-obsolete (run in src/coop4int).
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

EXTRACT_OPTIONS: dict[str, Any] = {
    "no_location": True,
    "no_obsolete": True,
    "ignore_patterns": ["tests/*", "*/tests/*"],
    "verbosity": 0,
}


def _keys(catalogue: polib.POFile) -> set[tuple[str, str, str]]:
    return {
        (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        for entry in catalogue
        if not entry.obsolete
    }


class Command(BaseCommand):
    help = "Fail when a translation catalogue is stale, untranslated or fuzzy."

    def handle(self, *args: Any, **options: Any) -> None:
        locale_dir = Path(settings.LOCALE_PATHS[0])
        languages = [code for code, _name in settings.LANGUAGES if code != "en"]
        problems: list[str] = []
        with tempfile.TemporaryDirectory() as backup:
            backup_dir = Path(backup) / "locale"
            shutil.copytree(locale_dir, backup_dir)
            cwd = Path.cwd()
            try:
                os.chdir(settings.BASE_DIR)
                call_command("makemessages", locale=languages, **EXTRACT_OPTIONS)
                for code in languages:
                    po_path = Path("locale") / code / "LC_MESSAGES" / "django.po"
                    old_path = backup_dir / code / "LC_MESSAGES" / "django.po"
                    if not old_path.exists():
                        problems.append(f"{code}: no catalogue")
                        continue
                    extracted, committed = polib.pofile(str(po_path)), polib.pofile(str(old_path))
                    for key in sorted(_keys(extracted) - _keys(committed)):
                        problems.append(f"{code}: missing {key[1]!r}")
                    for key in sorted(_keys(committed) - _keys(extracted)):
                        problems.append(f"{code}: no longer used {key[1]!r}")
                    for entry in committed:
                        if entry.obsolete:
                            continue
                        if "fuzzy" in entry.flags:
                            problems.append(f"{code}: fuzzy {entry.msgid!r}")
                        elif not entry.translated():
                            problems.append(f"{code}: untranslated {entry.msgid!r}")
            finally:
                os.chdir(cwd)
                shutil.rmtree(locale_dir)
                shutil.copytree(backup_dir, locale_dir)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(problems)} translation problem(s). Refresh the catalogues with "
                "`coop4int makemessages -a --no-location --no-obsolete` in src/coop4int, "
                "translate, and run `coop4int compilemessages`."
            )
        self.stdout.write(self.style.SUCCESS("Translation catalogues are up to date."))

"""`coop4int compilemessages`, without GNU gettext: compiles our catalogues with polib so that
installing the platform needs nothing but Python."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the platform's .po catalogues into .mo files."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {count} catalogue(s).")

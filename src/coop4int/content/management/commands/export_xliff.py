"""`coop4int export_xliff --language fr [--item SLUG …] OUT.xlf`: items for a translation agency."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.content.domain.exchange import export_batch
from coop4int.content.models import ContentItem


class Command(BaseCommand):
    help = (
        "Write items' source texts as XLIFF 2.0 for translation into one language. Without "
        "--item, every item not written in that language (they must share one source "
        "language; choose with --source-language). Bring the file back with import_xliff."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out", type=Path, help="the .xlf file to write")
        parser.add_argument("--language", required=True, help="target language code, e.g. fr")
        parser.add_argument(
            "--item", dest="slugs", action="append", default=[], help="an item's short name"
        )
        parser.add_argument(
            "--source-language", help="without --item: only items written in this language"
        )

    @no_translations
    def handle(
        self,
        *args: Any,
        out: Path,
        language: str,
        slugs: list[str],
        source_language: str | None,
        **options: Any,
    ) -> None:
        items = ContentItem.objects.order_by("slug")
        if slugs:
            items = items.filter(slug__in=slugs)
            missing = sorted(set(slugs) - {item.slug for item in items})
            if missing:
                raise CommandError(f"No item with the short name: {', '.join(missing)}.")
        else:
            items = items.exclude(source_language=language)
        if source_language:
            items = items.filter(source_language=source_language)
        batch = list(items)
        try:
            data = export_batch(batch, language)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was exported.") from None
        out.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(batch)} item(s) for {language} to {out}.")
        )

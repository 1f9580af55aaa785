"""`coop4int import_xliff --as USERNAME FILE.xlf`: an agency's translations, saved as drafts."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.accounts.models import User
from coop4int.content.domain.exchange import import_xliff
from coop4int.content.xliff import MAX_BYTES


class Command(BaseCommand):
    help = (
        "Import an XLIFF 2.0 file made by export_xliff and translated: each item's text is "
        "saved as a draft in the file's target language, by the given editor. All or nothing: "
        "every problem is listed and nothing is saved if there is one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the translated .xlf file")
        parser.add_argument(
            "--as", dest="username", required=True, help="the content editor saving the texts"
        )

    # Messages are in English.
    @no_translations
    def handle(self, *args: Any, path: Path, username: str, **options: Any) -> None:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {username}.")
        try:
            with path.open("rb") as file:
                # One byte over the limit is enough for the import to refuse the file.
                data = file.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            result = import_xliff(actor=actor, data=data)
        except PermissionDenied:
            raise CommandError(f"{username} may not edit content.") from None
        if not result.ok:
            for message in result.errors:
                self.stderr.write(message)
            raise CommandError(f"{len(result.errors)} problem(s) in {path}; nothing was imported.")
        for translation in result.saved:
            self.stdout.write(
                f"{translation.item.slug} [{translation.language}] version "
                f"{translation.version} saved as a draft."
            )
        for translation in result.behind_source:
            self.stdout.write(
                f"{translation.item.slug} [{translation.language}] follows source version "
                f"{translation.source_version}, older than the current one: it needs updating."
            )
        for slug in result.unchanged:
            self.stdout.write(f"{slug}: unchanged, nothing saved.")
        self.stdout.write(self.style.SUCCESS(f"Imported {path}."))

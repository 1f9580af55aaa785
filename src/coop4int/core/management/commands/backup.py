"""`coop4int backup DIR [--encrypt] [--key-file PATH]`: see coop4int.core.backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from coop4int.core.backup import BackupRefused, load_key, make_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the uploaded files into DIR (new or "
        "empty), with a manifest and checksums; --encrypt seals it with the key from "
        "--key-file, BACKUP_KEY_FILE or BACKUP_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--encrypt", action="store_true", help="encrypt the backup")
        parser.add_argument(
            "--key-file", help="file holding the key (else BACKUP_KEY_FILE, else BACKUP_KEY)"
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = load_key(options["key_file"]) if options["encrypt"] else None
            if options["encrypt"] and key is None:
                raise BackupRefused(
                    "--encrypt needs a key: --key-file, or the environment variable "
                    "BACKUP_KEY_FILE or BACKUP_KEY."
                )
            result = make_backup(options["directory"], key=key)
        except BackupRefused as refusal:
            raise CommandError(str(refusal)) from None
        for name in result.missing:
            self.stderr.write(f"{name} was deleted while the backup was made; not included.")
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.directory}: the {manifest.vendor} database and "
                f"{len(manifest.files)} file{'' if len(manifest.files) == 1 else 's'}"
                f"{', encrypted' if manifest.encryption else ''}."
            )
        )

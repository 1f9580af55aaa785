"""`coop4int restore DIR [--key-file PATH]`: see coop4int.core.backup."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from coop4int.core.backup import BackupRefused, RestoreIncomplete, load_key, restore_backup
from coop4int.core.erasure_journal import journal_path


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into the configured database, which must be new and empty, "
        "and the file storage; then migrate and replay the erasures made since the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--key-file",
            help="file holding the key of an encrypted backup (else BACKUP_KEY_FILE, else "
            "BACKUP_KEY)",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(options["directory"], key=load_key(options["key_file"]))
        except BackupRefused as refusal:
            raise CommandError(f"{refusal} Nothing was changed.") from None
        except RestoreIncomplete as incomplete:
            raise CommandError(str(incomplete)) from None
        manifest = result.manifest
        if result.journal_missing:
            self.stderr.write(
                f"There is no erasure journal at {journal_path()}, so no erasure could be "
                "replayed. If the platform ran elsewhere, copy its journal here (setting "
                "ERASURE_JOURNAL) and run: coop4int replay_erasures --since "
                f"{result.replayed_since.isoformat()}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest.created_at.isoformat()} (platform "
                f"{manifest.platform_version}): the database and {len(manifest.files)} "
                f"file{'' if len(manifest.files) == 1 else 's'}; "
                f"erasures journalled since {result.replayed_since.isoformat()} replayed."
            )
        )

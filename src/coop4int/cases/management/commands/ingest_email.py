"""`coop4int ingest_email`: file incoming e-mail into cases.

One message on standard input (an MTA pipe, e.g. Postfix ``pipe``), printing the case
reference; or a batch from ``--mbox PATH`` / ``--maildir PATH``, each message in its own
transaction, so a batch cut short can be run again: messages already filed are recognised by
their Message-ID and not stored twice.

Exit status: 0 when filed, already filed (duplicate) or ignored (auto-reply, bounce, list);
65 (EX_DATAERR, which Postfix bounces) when the message is refused, with the reason on stderr.
"""

import mailbox
import sys
from argparse import ArgumentParser
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.accounts.models import Unit
from coop4int.channels import email_in

EX_DATAERR = 65
# More than any message the channel accepts (attachments are limited to 10 MB each).
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "File incoming e-mail into cases: one message from standard input (or --file), or "
        "every message of --mbox / --maildir. Prints the case reference of each message."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--unit",
            help="slug of the unit new cases go to (default: the unit the message was "
            "addressed to, else the first local unit)",
        )
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--file", type=Path, help="read one message from this file")
        source.add_argument("--mbox", type=Path, help="file every message of this mbox file")
        source.add_argument("--maildir", type=Path, help="file every message of this Maildir")

    # Reasons reach the MTA's bounce and the logs in English.
    @no_translations
    def handle(
        self,
        *args: Any,
        unit: str | None,
        file: Path | None,
        mbox: Path | None,
        maildir: Path | None,
        **options: Any,
    ) -> None:
        chosen = None
        if unit:
            chosen = Unit.objects.filter(slug=unit).first()
            if chosen is None:
                raise CommandError(f"No unit {unit}.")
        if mbox is not None or maildir is not None:
            self._batch(_messages(mbox, maildir), chosen)
            return
        raw = self._read_one(file)
        try:
            result = email_in.file_message(raw, unit=chosen or _unit_for(raw))
        except email_in.MessageRefused as refused:
            raise CommandError(refused.reason, returncode=EX_DATAERR) from None
        if result.case is not None:
            self.stdout.write(result.case.reference)

    def _read_one(self, path: Path | None) -> bytes:
        if path is not None:
            try:
                with path.open("rb") as file:
                    data = file.read(MAX_MESSAGE_BYTES + 1)
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        else:
            data = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            raise CommandError(
                f"The message is larger than {MAX_MESSAGE_BYTES // 1024 // 1024} MB.",
                returncode=EX_DATAERR,
            )
        return data

    def _batch(self, messages: Iterator[tuple[str, bytes]], chosen: Unit | None) -> None:
        counts: Counter[str] = Counter()
        for key, raw in messages:
            try:
                result = email_in.file_message(raw, unit=chosen or _unit_for(raw))
            except email_in.MessageRefused as refused:
                counts["refused"] += 1
                self.stderr.write(f"{key}: refused: {refused.reason}")
                continue
            if result.ignored:
                counts["ignored"] += 1
            elif result.duplicate:
                counts["already filed"] += 1
            elif result.opened:
                counts["new cases"] += 1
            else:
                counts["joined a case"] += 1
            if result.case is not None:
                self.stdout.write(f"{key}: {result.case.reference}")
        total = sum(counts.values())
        parts = ", ".join(
            f"{counts[label]} {label}"
            for label in ("new cases", "joined a case", "already filed", "ignored", "refused")
        )
        self.stdout.write(f"{total} message(s): {parts}.")


def _unit_for(raw: bytes) -> Unit:
    unit = email_in.addressed_unit(raw) or email_in.default_unit()
    if unit is None:
        raise CommandError("There is no local unit to file the message for; give --unit.")
    return unit


def _messages(mbox: Path | None, maildir: Path | None) -> Iterator[tuple[str, bytes]]:
    box: mailbox.Mailbox[Any]
    if mbox is not None:
        if not mbox.is_file():
            raise CommandError(f"No mbox file {mbox}.")
        box = mailbox.mbox(mbox, create=False)
    else:
        assert maildir is not None
        if not maildir.is_dir():
            raise CommandError(f"No Maildir {maildir}.")
        box = mailbox.Maildir(maildir, factory=None, create=False)
    try:
        for key in sorted(box.keys(), key=_sort_key):
            yield str(key), box.get_bytes(key)
    finally:
        box.close()


def _sort_key(key: object) -> tuple[int, str]:
    """mbox keys are numbers, Maildir keys names: either way one stable order."""
    return (key, "") if isinstance(key, int) else (0, str(key))

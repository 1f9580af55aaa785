"""`coop4int replay_erasures --since ISO-DATETIME`: erase again the people the erasure journal
says were erased since then — after a backup made before those erasures was restored.

Each journal entry (``coop4int.core.erasure_journal.erasures_since``) names a record and the
time it was erased. A record that exists and is not erased is erased again through
``people.domain.erasure.erase_person`` (same rules, same audit entry, at the journal's time,
on the ground ``ErasureGround.REPLAYED``: the first erasure's ground went with the restore);
one already erased, or no longer there, is left alone. Running it twice changes nothing the
second time. A record under a legal hold in the restored data is refused like any erasure:
the command says which and ends with an error, so that the operator lifts the hold (it had
been lifted before the erasure) and runs it again.

Also callable as ``call_command("replay_erasures", since=datetime)``.
"""

from argparse import ArgumentParser
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import timezone

from coop4int.core.erasure_journal import erasures_since
from coop4int.people.domain.erasure import ErasureRefused, erase_person
from coop4int.people.enums import ErasureGround
from coop4int.people.models import Person


def parse_since(value: str | datetime) -> datetime:
    """An ISO 8601 date and time; without a zone, the platform's (``TIME_ZONE``)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def as_person_key(value: object) -> UUID:
    """A record's key as the journal holds it (a number or text) as the key of ``Person``."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, int):
        return UUID(int=value)
    return UUID(str(value))


class Command(BaseCommand):
    help = (
        "Erase again the people the erasure journal says were erased since --since (an ISO "
        "date and time), after restoring a backup made before then. Idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--since",
            required=True,
            help="ISO 8601 date and time, e.g. 2025-03-01T00:00:00+00:00 (the backup's time)",
        )

    # What it prints goes to the operator's terminal and logs, in English.
    @no_translations
    def handle(self, *args: Any, since: str | datetime, **options: Any) -> None:
        try:
            moment = parse_since(since)
        except ValueError as invalid:
            raise CommandError(f"--since: not an ISO 8601 date and time: {since}") from invalid
        erased = already = missing = 0
        refused: list[str] = []
        for entry in erasures_since(moment):
            key = as_person_key(entry.person_id)
            person = Person.objects.filter(pk=key).first()
            if person is None:
                missing += 1
                continue
            if person.is_erased:
                already += 1
                continue
            try:
                erase_person(
                    person=person,
                    actor=None,
                    ground=ErasureGround.REPLAYED,
                    now=entry.at,
                )
            except ErasureRefused:
                refused.append(str(key))
                continue
            erased += 1
            self.stdout.write(f"erased again: person {key} (first erased {entry.at.isoformat()})")
        summary = (
            f"{erased} erased again, {already} already erased, {missing} not in the database, "
            f"{len(refused)} refused (legal hold)."
        )
        self.stdout.write(summary)
        if refused:
            raise CommandError(
                "Under a legal hold in the restored data, not erased: "
                + ", ".join(refused)
                + ". Lift the hold and run the command again."
            )

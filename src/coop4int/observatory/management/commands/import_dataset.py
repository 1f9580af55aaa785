"""`coop4int import_dataset PATH`: import an SDMX-CSV file, or a CSV file described by a
Frictionless Table Schema, as a new draft version of an indicator (published at once with
``--publish``). The last word printed is the dataset's id."""

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.db import transaction

from coop4int.observatory.domain.datasets import (
    DatasetRefused,
    Provenance,
    import_dataset,
    publish_dataset,
)
from coop4int.observatory.enums import FileFormat


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--retrieved takes a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Import a dataset: an SDMX-CSV file (1.0 or 2.0), a datapackage.json, or a CSV file "
        "with its Table Schema beside it (<name>.schema.json). The whole file is checked "
        "first; if anything is wrong every problem is listed (line, column, reason) and "
        "nothing is saved. A new draft version of the indicator is made (published with "
        "--publish); the last word printed is its id."
    )

    # The models' checks only: the others load every page of the site (URLs, views,
    # templates: some 90 MB), which an import never needs — a million observations import
    # in under 100 MB.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the file to import")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=FileFormat.values,
            help="the file's format (default: told from the file)",
        )
        parser.add_argument(
            "--indicator",
            help="the indicator's code (default: the file's INDICATOR column)",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the new version at once",
        )
        parser.add_argument(
            "--source", default="", help="the source's name (default: the file's or indicator's)"
        )
        parser.add_argument("--source-url", default="", help="the source's address")
        parser.add_argument(
            "--licence", default="", help="an SPDX licence id (default: the file's or CC-BY-4.0)"
        )
        parser.add_argument(
            "--retrieved", type=_day, default=None, help="the day the file was retrieved"
        )
        parser.add_argument("--note", default="", help="a note on the source")
        parser.add_argument(
            "--revision-note",
            default="",
            help="what changed since the previous version (needed to publish a version "
            "after the first)",
        )

    # Messages are in English, as the other commands'.
    @no_translations
    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        provenance = Provenance(
            source_name=options["source"].strip(),
            source_url=options["source_url"].strip(),
            licence=options["licence"].strip(),
            retrieved_on=options["retrieved"],
            note=options["note"].strip(),
        )
        if options["revision_note"] and not options["publish"]:
            raise CommandError("--revision-note goes with --publish.")
        try:
            with transaction.atomic():  # imported and published, or nothing
                dataset = import_dataset(
                    path=path,
                    file_format=FileFormat(options["file_format"])
                    if options["file_format"]
                    else None,
                    indicator_code=options["indicator"],
                    provenance=provenance,
                    actor=None,
                    report=self.stdout.write,
                )
                if options["publish"]:
                    dataset = publish_dataset(
                        dataset=dataset, actor=None, revision_note=options["revision_note"]
                    )
        except DatasetRefused as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s) in {path}; nothing was imported."
            ) from None
        # Plain text: the last word is the id, for scripts to read.
        if options["publish"]:
            self.stdout.write(f"Published {dataset.public_id}")
        else:
            self.stdout.write(f"Imported draft {dataset.public_id}")

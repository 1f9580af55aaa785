"""`coop4int import_hsds PATH`: import an HSDS 3.0 JSON document or tabular data package."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.directory.domain.hsds_import import HSDSImportError, import_hsds
from coop4int.directory.hsds_reading import DOCUMENT_KINDS


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 data: a JSON document (an organization, a service, a service at a "
        "location, a location, a taxonomy or a taxonomy term; a list of them or a paginated "
        "response) or a datapackage.json with CSV files. All or nothing: every problem is "
        "listed and nothing is saved if there is one. Rows are matched by id."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="a JSON file, a datapackage.json or its folder")
        parser.add_argument(
            "--strict", action="store_true", help="treat warnings as problems: save nothing"
        )
        parser.add_argument(
            "--type",
            dest="kind",
            choices=DOCUMENT_KINDS,
            help="the HSDS object a JSON document holds, when its fields do not say "
            "(an organization and a taxonomy with only an id, a name and a description)",
        )

    # Messages are in English, Django's validation messages included.
    @no_translations
    def handle(
        self, *args: Any, path: Path, strict: bool, kind: str | None = None, **options: Any
    ) -> None:
        try:
            report = import_hsds(path=path, strict=strict, kind=kind)
        except HSDSImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            for warning in error.warnings:
                self.stderr.write(f"warning: {warning}")
            raise CommandError(
                f"{len(error.problems)} problem(s) in {path}; nothing was imported."
            ) from None
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for label, counts in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            if counts:
                details = ", ".join(f"{count} {table}" for table, count in sorted(counts.items()))
                self.stdout.write(f"{label}: {details}")
        self.stdout.write(self.style.SUCCESS(f"Imported {path}."))

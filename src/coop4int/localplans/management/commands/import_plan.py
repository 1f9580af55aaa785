"""`coop4int import_plan FILE`: create a local plan from a data package `export_plan` wrote."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.localplans.exchange import MAX_BYTES, import_plan, problems_of


class Command(BaseCommand):
    help = (
        "Create the local integration plan a data package describes: the datapackage.json of "
        "`export_plan --format json`, or the zip of `--format csv`. All or nothing: the whole "
        "package is checked first and every problem is listed (table, row, field); nothing is "
        "saved if there is one, nor when a plan with the same short name exists. Prints the "
        "plan's short name."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="a .json data package or a .zip of CSV files")

    # Messages are in English.
    @no_translations
    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            if file.stat().st_size > MAX_BYTES:
                raise CommandError(f"{file} is too large to import.")
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            plan = import_plan(data, actor=None, filename=file.name)
        except ValidationError as error:
            problems = problems_of(error)
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(problems)} problem(s) in {file}; nothing was imported."
            ) from None
        self.stdout.write(plan.slug)

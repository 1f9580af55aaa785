"""`coop4int export_hsds DIR`: write the directory as HSDS 3.0 JSON and CSV files."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from coop4int.directory.hsds_export import export_hsds


class Command(BaseCommand):
    help = (
        "Write the directory as HSDS 3.0: DIR/services.json, DIR/organizations.json and the "
        "tabular form (DIR/datapackage.json and one CSV per HSDS table). A row lacking a "
        "value the HSDS data package requires is left out of the CSV files, with a warning."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", type=Path, help="folder to write into (created if needed)")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        report = export_hsds(directory=directory)
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for name, count in report.files.items():
            self.stdout.write(f"{directory / name}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Exported the directory to {directory}."))

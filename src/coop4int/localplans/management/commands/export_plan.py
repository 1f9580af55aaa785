"""`coop4int export_plan SLUG --format json|csv OUT`: write a local plan as a data package."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from coop4int.localplans.exchange import FORMATS, Format, export_plan, record_export
from coop4int.localplans.models import Plan


class Command(BaseCommand):
    help = (
        "Write the local integration plan SLUG as a Frictionless data package: json (one "
        "datapackage.json holding its rows) or csv (a zip of datapackage.json and one CSV file "
        "per table). OUT is a file, or - for the standard output. The public's comments are "
        "not included. `coop4int import_plan` reads either back."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("slug", help="the plan's short name")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument("out", help="the file to write, or - for the standard output")

    @no_translations
    def handle(self, *args: Any, slug: str, fmt: str, out: str, **options: Any) -> None:
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"No local plan has the short name {slug!r}.")
        kind: Format = "csv" if fmt == "csv" else "json"
        data = export_plan(plan, kind)
        if out == "-":
            self._write_out(data, kind)
        else:
            try:
                Path(out).write_bytes(data)
            except OSError as error:
                raise CommandError(f"Cannot write {out}: {error.strerror}") from None
        record_export(actor=None, plan=plan, fmt=kind)
        if out != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {slug} to {out} ({kind})."))

    def _write_out(self, data: bytes, kind: str) -> None:
        """``data`` on the standard output: bytes when it takes them, else (a text stream)
        the JSON as text."""
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(data)
            buffer.flush()
        elif kind == "json":
            self.stdout.write(data.decode(), ending="")
        else:
            raise CommandError("The zip of the csv format cannot be written to this output.")

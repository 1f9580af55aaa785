"""Reading a plain CSV file described by a Frictionless Table Schema: a ``datapackage.json``
(its first tabular resource, a CSV file beside it; the package's ``sources`` and ``licenses``
give the provenance), or a CSV file with a ``<name>.schema.json`` beside it.

The schema's fields are the dimension ids (any SDMX id), ``TIME_PERIOD`` (written as an SDMX
period: 2021, 2021-Q3, 2021-07…), ``OBS_VALUE`` and optionally ``OBS_STATUS`` and
``CONF_STATUS``; an ``INDICATOR`` field names the indicator, as in SDMX-CSV. ``frictionless``
checks the file against the schema first (types, constraints, required fields, keys), each
error a problem with its line and column; the observations are then read with the csv module,
a line at a time — frictionless's own row stream is far slower — with the schema's missing
values and its number format (``decimalChar``, ``groupChar``) for ``OBS_VALUE``.
"""

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from frictionless import FrictionlessException, Package, Resource, Schema

from coop4int.observatory.sdmx_csv import (
    CONF_STATUS,
    INDICATOR,
    OBS_STATUS,
    OBS_VALUE,
    TIME_PERIOD,
    FileRefused,
    ReadProblem,
    Record,
    bad_value,
    code_part,
    not_utf8,
    wrong_width,
)

KEPT = frozenset({TIME_PERIOD, OBS_VALUE, OBS_STATUS, CONF_STATUS, INDICATOR})


def schema_beside(path: Path) -> Path:
    """Where the Table Schema of CSV file ``path`` is looked for: ``<name>.schema.json``."""
    return path.with_name(f"{path.stem}.schema.json")


def is_tabular(path: Path) -> bool:
    """Whether ``path`` is a data package or a CSV file with a schema beside it."""
    return path.name.endswith(".json") or (
        path.suffix.lower() == ".csv" and schema_beside(path).is_file()
    )


class TabularFile:
    """A CSV file and its Table Schema, read as often as asked (``records``)."""

    file_format = "csv"
    structure = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.source_name = ""
        self.source_url = ""
        self.licence = ""
        try:
            self.resource = self._resource(path)
        except FrictionlessException as error:
            raise FileRefused(
                [
                    ReadProblem(
                        _("The data package or schema cannot be read: %(error)s")
                        % {"error": error.error.message}
                    )
                ]
            ) from None
        schema = self.resource.schema
        self.data_path = Path(self.resource.normpath or "")
        self.fields = [field.name for field in schema.fields]
        self.missing_values = frozenset(schema.missing_values)
        self.dimensions = tuple(name for name in self.fields if name not in KEPT)
        self.has_indicator_column = INDICATOR in self.fields
        self.ignored: tuple[str, ...] = ()
        problems = [
            ReadProblem(
                _("The schema has no field %(field)s.") % {"field": name}, line=1, column=name
            )
            for name in (TIME_PERIOD, OBS_VALUE)
            if name not in self.fields
        ]
        if problems:
            raise FileRefused(problems)
        value_reader = schema.get_field(OBS_VALUE).create_cell_reader()
        self.read_value: Callable[[str], tuple[Any, Any]] = value_reader
        control = self.resource.dialect.to_descriptor().get("csv", {})
        self.delimiter = str(control.get("delimiter", ","))

    def _resource(self, path: Path) -> Resource:
        if path.name.endswith(".json"):
            package = Package(str(path))
            resource = next((r for r in package.resources if r.tabular), None)
            if resource is None:
                raise FileRefused([ReadProblem(_("The data package has no table."))])
            data = Path(resource.normpath or "") if isinstance(resource.path, str) else None
            base = path.resolve().parent
            if data is None or base not in data.resolve().parents or not data.is_file():
                raise FileRefused(
                    [ReadProblem(_("The data package's table must be a CSV file beside it."))]
                )
            self._provenance(package.to_descriptor())
            return resource
        schema_path = schema_beside(path)
        if not schema_path.is_file():
            raise FileRefused(
                [
                    ReadProblem(
                        _("The CSV file needs its Table Schema beside it, named %(name)s.")
                        % {"name": schema_path.name}
                    )
                ]
            )
        # The schema is read here and given as a dict: frictionless holds a path outside the
        # resource's folder (an absolute one) unsafe.
        try:
            descriptor = json.loads(schema_path.read_text(encoding="utf-8-sig"))
        except (ValueError, OSError) as error:
            raise FileRefused(
                [
                    ReadProblem(
                        _("The Table Schema %(name)s cannot be read: %(error)s")
                        % {"name": schema_path.name, "error": error}
                    )
                ]
            ) from None
        schema = Schema.from_descriptor(descriptor)
        return Resource(path=path.name, basepath=str(path.parent), schema=schema)

    def _provenance(self, descriptor: dict[str, Any]) -> None:
        """The package's first source and licence."""
        sources = descriptor.get("sources") or [{}]
        licences = descriptor.get("licenses") or [{}]
        self.source_name = str(sources[0].get("title") or "")
        url = str(sources[0].get("path") or "")
        self.source_url = url if url.startswith(("https://", "http://")) else ""
        self.licence = str(licences[0].get("name") or "")

    def schema_problems(self, limit: int) -> list[ReadProblem]:
        """What frictionless finds wrong with the file against its schema (at most
        ``limit``)."""
        try:
            report = self.resource.validate(limit_errors=limit)
        except FrictionlessException as error:
            return [ReadProblem(error.error.message)]
        errors = list(report.errors)
        for task in report.tasks:
            errors.extend(task.errors)
        return [self._problem(error) for error in errors[:limit]]

    def _problem(self, error: Any) -> ReadProblem:
        """A frictionless error as a problem in the reader's language (frictionless's own
        English note added where it is more precise than the kind of error)."""
        kind = error.type
        line = getattr(error, "row_number", None)
        column = getattr(error, "field_name", None) or getattr(error, "label", None)
        cell = str(getattr(error, "cell", "") or "")[:40]
        if kind == "type-error":
            field = self.resource.schema.get_field(column) if column in self.fields else None
            message = _("“%(cell)s” is not of the column's type (%(type)s).") % {
                "cell": cell,
                "type": field.type if field is not None else "?",
            }
        elif kind == "constraint-error":
            message = _("“%(cell)s” breaks a rule of the column (%(rule)s).") % {
                "cell": cell,
                "rule": error.note,
            }
        elif kind == "missing-cell":
            message = _("A value is missing in this column.")
        elif kind == "extra-cell":
            message = _("This line has more cells than the schema has fields.")
        elif kind == "blank-row":
            message = _("This line is empty.")
        elif kind in ("unique-error", "primary-key"):
            message = _("This value repeats another line's.")
        elif kind in ("incorrect-label", "missing-label", "blank-label", "duplicate-label"):
            message = _("The column's name is not the schema's field name here.")
            line = 1
        else:
            message = str(error.message)
        return ReadProblem(message, line=line, column=column)

    def records(self) -> Iterator[Record | ReadProblem]:
        """Each observation of the file in order, or a problem where a line cannot be read."""
        missing = self.missing_values
        read_value = self.read_value
        line = 1
        with self.data_path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream, delimiter=self.delimiter)
            try:
                header = [code_part(name) for name in next(reader, [])]
                width = len(header)
                where = {name: index for index, name in enumerate(header)}
                if any(name not in where for name in (*self.dimensions, TIME_PERIOD, OBS_VALUE)):
                    yield ReadProblem(
                        _("The file's header does not name the schema's fields."), line=1
                    )
                    return
                dimension_at = [where[name] for name in self.dimensions]
                period_at, value_at = where[TIME_PERIOD], where[OBS_VALUE]
                obs_at, conf_at = where.get(OBS_STATUS), where.get(CONF_STATUS)
                indicator_at = where.get(INDICATOR)
                for cells in reader:
                    line = reader.line_num
                    if len(cells) != width:
                        if not any(cell.strip() for cell in cells):
                            continue
                        yield wrong_width(len(cells), width, line)
                        continue
                    text = cells[value_at]
                    value: float | None = None
                    if text not in missing:
                        cast, notes = read_value(text)
                        if notes or cast is None:
                            yield bad_value(text, line)
                            continue
                        value = float(cast)
                    yield Record(
                        line,
                        cells[period_at].strip(),
                        tuple(_code(cells[index], missing) for index in dimension_at),
                        value,
                        _code(cells[obs_at], missing) if obs_at is not None else "",
                        _code(cells[conf_at], missing) if conf_at is not None else "",
                        _code(cells[indicator_at], missing) if indicator_at is not None else "",
                    )
            except UnicodeDecodeError:
                yield not_utf8(line + 1)
            except csv.Error as error:
                yield ReadProblem(
                    _("This line cannot be read as CSV: %(error)s") % {"error": error},
                    line=reader.line_num,
                )

    def __repr__(self) -> str:
        return f"TabularFile({self.path})"


def _code(cell: str, missing: frozenset[str]) -> str:
    return "" if cell in missing else code_part(cell)

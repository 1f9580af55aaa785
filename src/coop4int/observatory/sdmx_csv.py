"""Reading SDMX-CSV files, 1.0 and 2.0, a line at a time (a million observations never sit in
memory), and what the readers of dataset files share: a ``Record`` per observation, a
``ReadProblem`` per thing wrong, ``FileRefused`` when the header already says the file cannot
be read.

The two versions differ in their first columns:

- 1.0 starts with ``DATAFLOW`` (the dataflow's id, ``ESTAT:DF_X(1.0)``);
- 2.0 starts with ``STRUCTURE`` (``dataflow``, ``datastructure`` or ``dataprovision``),
  ``STRUCTURE_ID`` and ``ACTION``. The actions I (information), A (append), R (replace) and M
  (merge) all bring observations and are read alike; D (delete) lines are refused: a dataset
  is a whole release, never a change to another one. ``SERIES_KEY`` and ``OBS_KEY`` (the
  optional key columns of 2.0) are skipped.

Then, as both versions order them, the dimensions (``TIME_PERIOD`` among them), the measure
``OBS_VALUE`` and the attributes: every column before ``OBS_VALUE`` but ``TIME_PERIOD`` is a
dimension. Of the attributes, ``OBS_STATUS`` and ``CONF_STATUS`` are kept with each
observation, ``UNIT_MULT`` is applied (a value given in thousands, ``UNIT_MULT`` 3, is stored
multiplied by 1,000), and the others (``UNIT_MEASURE``, ``DECIMALS``, free-text comments,
further measures) are skipped: ``ignored`` lists them so that the importer can say so. An
``INDICATOR`` column names the indicator: it is no dimension (``Layout.indicator_column``).

Headers and cells may carry labels (SDMX-CSV's ``labels=both``: ``SEX: Sex``, ``F: Female``):
the part before the colon is read. The separator is the one that follows the first column's
name (SDMX-CSV uses ``,``; ``;`` and tabs are accepted too). Text is UTF-8, with or without a
byte-order mark.
"""

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, TextIO

from django.utils.translation import gettext as _

TIME_PERIOD = "TIME_PERIOD"
OBS_VALUE = "OBS_VALUE"
OBS_STATUS = "OBS_STATUS"
CONF_STATUS = "CONF_STATUS"
UNIT_MULT = "UNIT_MULT"
INDICATOR = "INDICATOR"
# 2.0's optional key columns, and its structure columns.
KEY_COLUMNS = frozenset({"SERIES_KEY", "OBS_KEY"})
STRUCTURE_KINDS = frozenset({"dataflow", "datastructure", "dataprovision"})
ACTIONS_READ = frozenset({"I", "A", "R", "M", ""})
DELETE = "D"

_FIRST_COLUMN = re.compile(r"^\ufeff?\"?(DATAFLOW|STRUCTURE)(?::[^,;\t\"]*)?\"?([,;\t])")


class Record(NamedTuple):
    """One observation as a file gives it."""

    line: int
    period: str
    key: tuple[str, ...]
    value: float | None
    obs_status: str
    conf_status: str
    indicator: str = ""


@dataclass(frozen=True, slots=True)
class ReadProblem:
    message: str
    """Translated, in the language active when it was found."""
    line: int | None = None
    column: str | None = None


class FileRefused(Exception):
    """The file cannot be read at all (its header says so); ``problems`` say why."""

    def __init__(self, problems: list[ReadProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


def code_part(text: str) -> str:
    """The code of a header or cell written ``CODE: Label`` (SDMX-CSV ``labels=both``); the
    text itself, stripped, otherwise. Codes never hold a colon."""
    code, _colon, _label = text.partition(":")
    return code.strip()


def structure_part(text: str) -> str:
    """A structure's id (``ESTAT:DF_X(1.0)``, which holds a colon) without its label
    (``ESTAT:DF_X(1.0): Migration flows``)."""
    ident, _sep, _label = text.partition(": ")
    return ident.strip()


def parse_value(text: str) -> float | None:
    """An observation's value as written in a file: a decimal number with a point (1234,
    12.5, 1.2E3); empty or ``NaN`` (SDMX's missing value) for none. ValueError otherwise."""
    text = text.strip()
    if not text or text.lower() == "nan":
        return None
    value = float(text)
    if not math.isfinite(value) or "_" in text:
        raise ValueError(text)
    return value


def scaled(value: float, unit_mult: str) -> float:
    """``value`` times ten to the power ``unit_mult`` (SDMX's UNIT_MULT), computed in decimal
    so that 15.788 thousand is 15788 exactly. ValueError when ``unit_mult`` is no integer."""
    if not unit_mult.strip():
        return value
    power = int(unit_mult)
    if not -15 <= power <= 15:
        raise ValueError(unit_mult)
    try:
        return float(Decimal(repr(value)).scaleb(power))
    except InvalidOperation as error:
        raise ValueError(unit_mult) from error


def bad_value(text: str, line: int, column: str = OBS_VALUE) -> ReadProblem:
    return ReadProblem(
        _("“%(value)s” is not a number (write it with a decimal point, or leave it empty).")
        % {"value": text[:40]},
        line=line,
        column=column,
    )


def wrong_width(found: int, expected: int, line: int) -> ReadProblem:
    return ReadProblem(
        _("This line has %(found)s columns where the header has %(expected)s.")
        % {"found": found, "expected": expected},
        line=line,
    )


def not_utf8(line: int | None) -> ReadProblem:
    return ReadProblem(_("The file is not UTF-8 text."), line=line)


def sniff(path: Path) -> str | None:
    """``"1.0"`` or ``"2.0"`` when the file's first line is an SDMX-CSV header, else None."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as stream:
            first = stream.readline(4096)
    except OSError:
        return None
    match = _FIRST_COLUMN.match(first)
    if match is None:
        return None
    return "1.0" if match[1] == "DATAFLOW" else "2.0"


@dataclass(frozen=True, slots=True)
class Layout:
    """What an SDMX-CSV file's header says."""

    version: str
    delimiter: str
    width: int
    dimensions: tuple[str, ...]
    """Dimension ids besides TIME_PERIOD, in the file's order (``INDICATOR`` aside)."""
    dimension_columns: tuple[int, ...]
    period_column: int
    value_column: int
    obs_status_column: int | None
    conf_status_column: int | None
    unit_mult_column: int | None
    indicator_column: int | None
    ignored: tuple[str, ...]
    """Columns read past: attributes and measures the platform does not keep."""


class SdmxCsvFile:
    """An SDMX-CSV file, read as often as asked (``records``), a line at a time."""

    file_format = "sdmx-csv"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data_path = path
        self.layout = self._read_header()
        self.dimensions = self.layout.dimensions
        self.has_indicator_column = self.layout.indicator_column is not None
        self.ignored = self.layout.ignored
        self.version = self.layout.version
        # Filled in by ``records``: the structure named by the rows (the same on each).
        self.structure = ""
        self.source_name = ""
        self.source_url = ""
        self.licence = ""

    def schema_problems(self, limit: int) -> list[ReadProblem]:
        """An SDMX-CSV file comes without a schema: nothing to check beyond its lines."""
        return []

    def _open(self) -> TextIO:
        return self.path.open(encoding="utf-8-sig", newline="")

    def _read_header(self) -> Layout:
        try:
            with self._open() as stream:
                first = stream.readline(65536)
        except UnicodeDecodeError:
            raise FileRefused([not_utf8(1)]) from None
        except OSError as error:
            raise FileRefused(
                [ReadProblem(_("The file cannot be read: %(error)s") % {"error": error})]
            ) from None
        match = _FIRST_COLUMN.match(first)
        if match is None:
            raise FileRefused(
                [
                    ReadProblem(
                        _("An SDMX-CSV file starts with a DATAFLOW or STRUCTURE column."),
                        line=1,
                    )
                ]
            )
        delimiter = match[2]
        header = [code_part(name) for name in next(csv.reader([first], delimiter=delimiter))]
        version = "1.0" if header[0] == "DATAFLOW" else "2.0"
        leading = 1 if version == "1.0" else 3
        problems = []
        if version == "2.0" and header[1:3] != ["STRUCTURE_ID", "ACTION"]:
            problems.append(
                ReadProblem(
                    _("SDMX-CSV 2.0 starts with the columns STRUCTURE, STRUCTURE_ID, ACTION."),
                    line=1,
                )
            )
        for required in (TIME_PERIOD, OBS_VALUE):
            if required not in header:
                problems.append(
                    ReadProblem(
                        _("The column %(column)s is missing.") % {"column": required},
                        line=1,
                        column=required,
                    )
                )
        if problems:
            raise FileRefused(problems)
        value_column = header.index(OBS_VALUE)
        dimensions: list[str] = []
        dimension_columns: list[int] = []
        ignored: list[str] = []
        indicator_column = None
        kept = {TIME_PERIOD, OBS_VALUE, OBS_STATUS, CONF_STATUS, UNIT_MULT, INDICATOR}
        for index, name in enumerate(header[leading:], start=leading):
            if name in KEY_COLUMNS:
                continue
            if name == INDICATOR and index < value_column:
                indicator_column = index
            elif index < value_column and name not in kept:
                dimensions.append(name)
                dimension_columns.append(index)
            elif name not in kept:
                ignored.append(name)
        return Layout(
            version=version,
            delimiter=delimiter,
            width=len(header),
            dimensions=tuple(dimensions),
            dimension_columns=tuple(dimension_columns),
            period_column=header.index(TIME_PERIOD),
            value_column=value_column,
            obs_status_column=_index(header, OBS_STATUS),
            conf_status_column=_index(header, CONF_STATUS),
            unit_mult_column=_index(header, UNIT_MULT),
            indicator_column=indicator_column,
            ignored=tuple(ignored),
        )

    def records(self) -> Iterator[Record | ReadProblem]:
        """Each observation of the file in order, or a problem where a line cannot be read."""
        layout = self.layout
        width = layout.width
        size = len(layout.dimensions)
        value_at, mult_at = layout.value_column, layout.unit_mult_column
        # The cells read as codes, in one tuple: period, dimensions, statuses, indicator (an
        # absent column reads the empty cell appended to each line, at -1).
        coded = itemgetter(
            layout.period_column,
            *layout.dimension_columns,
            *(
                -1 if at is None else at
                for at in (
                    layout.obs_status_column,
                    layout.conf_status_column,
                    layout.indicator_column,
                )
            ),
        )
        # The structure columns: STRUCTURE and STRUCTURE_ID (2.0), DATAFLOW twice (1.0).
        kind_at, ident_at = (0, 1) if layout.version == "2.0" else (0, 0)
        action_at = 2 if layout.version == "2.0" else -1
        kind = ident = None
        line = 1
        with self._open() as stream:
            reader = csv.reader(stream, delimiter=layout.delimiter)
            try:
                next(reader)
                for cells in reader:
                    line = reader.line_num
                    if len(cells) != width:
                        if not any(cell.strip() for cell in cells):
                            continue  # a blank line
                        yield wrong_width(len(cells), width, line)
                        continue
                    cells.append("")
                    if cells[kind_at] != kind or cells[ident_at] != ident:
                        problem = self._structure_problem(cells, line, first=kind is None)
                        if problem is not None:
                            yield problem
                            continue
                        kind, ident = cells[kind_at], cells[ident_at]
                    if cells[action_at] not in ACTIONS_READ:
                        yield self._action_problem(cells[action_at], line)
                        continue
                    codes = coded(cells)
                    joined = "\x1f".join(codes)
                    if ":" in joined or " " in joined:  # labels (CODE: Label), or spaces
                        codes = tuple(code_part(code) for code in codes)
                    text = cells[value_at]
                    try:
                        value = parse_value(text)
                        if value is not None and mult_at is not None and cells[mult_at]:
                            value = scaled(value, code_part(cells[mult_at]))
                    except ValueError:
                        yield bad_value(text, line)
                        continue
                    yield Record(
                        line, codes[0], codes[1 : size + 1], value, codes[-3], codes[-2], codes[-1]
                    )
            except UnicodeDecodeError:
                yield not_utf8(line + 1)
            except csv.Error as error:
                yield ReadProblem(
                    _("This line cannot be read as CSV: %(error)s") % {"error": error},
                    line=reader.line_num,
                )

    def _structure_problem(self, cells: list[str], line: int, *, first: bool) -> ReadProblem | None:
        """Checks the structure columns of a line whose structure differs from the line
        before's (or of the ``first`` line); remembers the first one."""
        if self.layout.version == "2.0":
            kind = code_part(cells[0]).lower()
            if kind not in STRUCTURE_KINDS:
                return ReadProblem(
                    _(
                        "STRUCTURE is “%(value)s”; it must be dataflow, datastructure "
                        "or dataprovision."
                    )
                    % {"value": cells[0][:40]},
                    line=line,
                    column="STRUCTURE",
                )
            ident = structure_part(cells[1])
            column = "STRUCTURE_ID"
        else:
            kind = ""
            ident = structure_part(cells[0])
            column = "DATAFLOW"
        if not ident:
            return ReadProblem(_("The structure's id is missing."), line=line, column=column)
        if not first:
            return ReadProblem(
                _(
                    "A file holds one structure: this line names %(this)s, the first "
                    "named %(first)s."
                )
                % {"this": ident, "first": self.structure},
                line=line,
                column=column,
            )
        # A dataflow by its id, as SDMX-CSV 1.0 names it; a data structure or provision
        # agreement by kind and id.
        self.structure = f"{kind}={ident}" if kind not in ("", "dataflow") else ident
        return None

    def _action_problem(self, action: str, line: int) -> ReadProblem:
        if action == DELETE:
            return ReadProblem(
                _(
                    "Deletions (ACTION D) are not imported: a dataset is a whole release. "
                    "Import the new release without the deleted observations."
                ),
                line=line,
                column="ACTION",
            )
        return ReadProblem(
            _("ACTION is “%(value)s”; it must be I, A, R or M.") % {"value": action[:10]},
            line=line,
            column="ACTION",
        )


def _index(header: list[str], name: str) -> int | None:
    return header.index(name) if name in header else None

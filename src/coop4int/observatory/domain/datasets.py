"""Datasets: storing a new version of an indicator's figures, publishing it, discarding it, and
importing one from a file (SDMX-CSV, or CSV described by a Frictionless Table Schema).

- A dataset is one *version* of an indicator's whole series. Storing never touches an earlier
  version: it makes a new draft numbered after the highest version the indicator ever had
  (a discarded version keeps its number), under a lock on the indicator's row so that two
  imports at once cannot take the same number.
- Every observation is checked (``RowChecker``): the period's SDMX syntax, one code per
  dimension, each a valid SDMX code, the status codes known, the value a finite number. A
  value whose confidentiality status withholds it (``enums.WITHHELD``) is stored empty, with
  its flags, whatever the file held. Anything wrong refuses the whole dataset
  (``DatasetRefused``, with each problem's line, column and reason); nothing is saved.
- Rows stream: they are written in batches of ``BATCH`` straight through the database cursor
  (``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL — several times faster than
  ``bulk_create`` of model instances, see bench/observatory_import.py), never all held in
  memory.
- Duplicates (the same key and period twice). ``store_dataset`` leaves them to the database's
  unique constraint, which it maintains anyway: each batch is written in its own savepoint, and
  when the constraint refuses one, the batch is searched for the row that repeats an earlier
  one (exact, and no memory spent while all goes well). ``import_dataset``'s checking pass,
  which writes nothing, keeps one 64-bit hash per observation (in arrays: 8 MB for a
  million) and, only when two hashes meet, reads the file once more to compare the rows
  themselves, so that a hash collision never refuses a good file.
- ``import_dataset`` reads a file twice, a line at a time: first to check everything (no
  transaction, nothing written; up to ``MAX_PROBLEMS`` problems listed), then, only if all is
  well, to store it through ``store_dataset`` (which checks each row again: it is also the
  platform tables' way in). On SQLite the store pass holds the database's write lock, some
  15 s for a million observations; other writers wait for it (the busy timeout is 20 s).
- One function writes a dataset's status, ``transition_dataset``, checking ``TRANSITIONS``.
  Publishing a version supersedes the published one (the database allows one published
  version per indicator), links to it (``replaces``) and marks, in one SQL statement, the
  observations whose value, or whether it is withheld, differs from that version's for the
  same key and period (``revised``).
"""

import hashlib
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.observatory import enums
from coop4int.observatory.enums import DatasetOrigin, DatasetStatus, FileFormat
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.observatory.sdmx_csv import FileRefused, ReadProblem, Record, SdmxCsvFile, sniff
from coop4int.observatory.tabular import TabularFile, is_tabular

BATCH = 5000
# A refused file lists at most this many problems (the first ones, by line).
MAX_PROBLEMS = 20
CACHE_LIMIT = 100_000

TRANSITIONS: dict[str, frozenset[str]] = {
    DatasetStatus.DRAFT: frozenset({DatasetStatus.PUBLISHED, DatasetStatus.DISCARDED}),
    DatasetStatus.PUBLISHED: frozenset({DatasetStatus.SUPERSEDED}),
    DatasetStatus.SUPERSEDED: frozenset(),
    DatasetStatus.DISCARDED: frozenset(),
}

# Columns that are not dimensions in any file.
RESERVED_COLUMNS = frozenset({"TIME_PERIOD", enums.OBS_VALUE, enums.OBS_STATUS, enums.CONF_STATUS})


def _field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


PERIOD_MAX_LENGTH = _field(Observation, "period").max_length or 20
KEY_MAX_LENGTH = _field(Observation, "key").max_length or 400


@dataclass(frozen=True, slots=True)
class Row:
    period: str
    key: tuple[str, ...]
    """The values of the dataset's dimensions, in order."""
    value: float | None
    obs_status: str = ""
    conf_status: str = ""


@dataclass(frozen=True, slots=True)
class Provenance:
    source_name: str
    source_url: str = ""
    licence: str = enums.DEFAULT_LICENCE
    retrieved_on: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    """Translated, in the language active when the problem was found."""
    row: int | None = None
    """1-based line number in the file (the header is line 1)."""
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("Line %(line)s, column %(column)s: %(message)s") % {
                "line": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("Line %(line)s: %(message)s") % {"line": self.row, "message": self.message}
        if self.column:
            return _("Column %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return self.message


class DatasetRefused(Exception):
    """The dataset (or the change asked of it) was refused; ``problems`` say why. Nothing was
    saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


# --- Periods ------------------------------------------------------------------------------------

# SDMX reporting periods and ISO 8601 forms: 2021, 2021-A1, 2021-S2, 2021-T3, 2021-Q4,
# 2021-M07, 2021-07, 2021-W05, 2021-D032, 2021-07-14, and a range: a start and an ISO 8601
# duration (2021-01-01/P3M).
_PERIOD = re.compile(
    r"^(?P<year>\d{4})"
    r"(?:-(?:"
    r"(?P<annual>A1)"
    r"|S(?P<semester>[12])"
    r"|T(?P<trimester>[1-3])"
    r"|Q(?P<quarter>[1-4])"
    r"|M(?P<rmonth>0[1-9]|1[0-2])"
    r"|W(?P<week>0[1-9]|[1-4]\d|5[0-3])"
    r"|D(?P<yday>\d{3})"
    r"|(?P<month>0[1-9]|1[0-2])(?:-(?P<day>0[1-9]|[12]\d|3[01]))?"
    r"))?"
    r"(?P<range>/P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)?$"
)


def period_start(period: str) -> date | None:
    """The first day ``period`` covers, or None when it is no SDMX period."""
    parts = _period_parts(period)
    return parts[0] if parts is not None else None


def _period_parts(period: str) -> tuple[date, int] | None:
    """The first day ``period`` covers and the rank of its length (0 for a year, 6 for a
    day, 7 for a range), or None when it is no SDMX period."""
    match = _PERIOD.match(period)
    if match is None:
        return None
    year = int(match["year"])
    ranged = 7 if match["range"] else 0
    try:
        if match["semester"]:
            return date(year, 6 * int(match["semester"]) - 5, 1), ranged or 1
        if match["trimester"]:
            return date(year, 4 * int(match["trimester"]) - 3, 1), ranged or 2
        if match["quarter"]:
            return date(year, 3 * int(match["quarter"]) - 2, 1), ranged or 3
        if match["rmonth"]:
            return date(year, int(match["rmonth"]), 1), ranged or 4
        if match["week"]:
            return date.fromisocalendar(year, int(match["week"]), 1), ranged or 5
        if match["yday"]:
            day = int(match["yday"])
            start = date(year, 1, 1)
            if not 1 <= day <= (date(year, 12, 31) - start).days + 1:
                return None
            return date.fromordinal(start.toordinal() + day - 1), ranged or 6
        if match["month"]:
            rank = 6 if match["day"] else 4
            return date(year, int(match["month"]), int(match["day"] or 1)), ranged or rank
        return date(year, 1, 1), ranged
    except ValueError:  # 2021-02-30, week 53 of a year with 52
        return None


def period_sort_key(period: str) -> tuple[date, int, str]:
    """Periods in time order: by the day each starts, a longer period before a shorter one
    starting the same day (2021 before 2021-S1 before 2021-Q1 before 2021-01)."""
    parts = _period_parts(period) or (date.min, 0)
    return (parts[0], parts[1], period)


def _period_ok(period: str) -> bool:
    return len(period) <= PERIOD_MAX_LENGTH and period_start(period) is not None


# --- Checking rows ------------------------------------------------------------------------------


def dimension_problems(dimensions: Sequence[str]) -> list[Problem]:
    """What is wrong with a dataset's list of dimensions (empty: nothing)."""
    problems = []
    seen: set[str] = set()
    for dimension in dimensions:
        if not enums.DIMENSION_ID.match(dimension) or dimension in RESERVED_COLUMNS:
            problems.append(
                Problem(
                    _("“%(dimension)s” is not a dimension's SDMX identifier.")
                    % {"dimension": dimension},
                    row=1,
                    column=dimension,
                )
            )
        elif dimension in seen:
            problems.append(Problem(_("This column appears twice."), row=1, column=dimension))
        seen.add(dimension)
    return problems


class RowLike(Protocol):
    """What ``store_dataset`` reads of a row: a ``Row``, or a reader's ``Record``."""

    @property
    def period(self) -> str: ...
    @property
    def key(self) -> tuple[str, ...]: ...
    @property
    def value(self) -> float | None: ...
    @property
    def obs_status(self) -> str: ...
    @property
    def conf_status(self) -> str: ...


class RowChecker:
    """Checks one row at a time against a dataset's dimensions (duplicates aside)."""

    def __init__(self, dimensions: Sequence[str]) -> None:
        self.dimensions = tuple(dimensions)
        self.size = len(self.dimensions)
        self.obs_statuses = frozenset({"", *enums.ObsStatus.values})
        self.conf_statuses = frozenset({"", *enums.ConfStatus.values})
        self.code_ok = enums.CODE_VALUE.match
        # Codes and periods already seen good, so that a million rows do not each run the
        # expressions again (bounded: a file of ever new codes only runs them).
        self.codes_ok: set[str] = set()
        self.periods_ok: dict[str, bool] = {}
        # Whether a key of valid codes may still be too long for its column.
        self.key_may_overflow = self.size * 81 > KEY_MAX_LENGTH + 1

    def problems(self, row: "RowLike", line: int | None) -> list[Problem]:
        """What is wrong with ``row`` (empty: nothing); the common case — every part seen
        good before — is answered first, in a few set lookups."""
        value = row.value
        if (
            self.periods_ok.get(row.period)
            and len(row.key) == self.size
            and self.codes_ok.issuperset(row.key)
            and (value is None or math.isfinite(value))
            and row.obs_status in self.obs_statuses
            and row.conf_status in self.conf_statuses
            and not self.key_may_overflow
        ):
            return []
        return self._problems(row, line)

    def _problems(self, row: "RowLike", line: int | None) -> list[Problem]:
        problems: list[Problem] = []
        period_ok = self.periods_ok.get(row.period)
        if period_ok is None:
            period_ok = _period_ok(row.period)
            if len(self.periods_ok) < CACHE_LIMIT:
                self.periods_ok[row.period] = period_ok
        if not period_ok:
            problems.append(
                Problem(
                    _("“%(period)s” is not an SDMX time period (2021, 2021-Q3, 2021-07…).")
                    % {"period": row.period},
                    row=line,
                    column="TIME_PERIOD",
                )
            )
        if len(row.key) != len(self.dimensions):
            problems.append(
                Problem(
                    _("%(found)s dimension values where the dataset has %(expected)s.")
                    % {"found": len(row.key), "expected": len(self.dimensions)},
                    row=line,
                )
            )
        else:
            codes_ok = self.codes_ok
            for dimension, code in zip(self.dimensions, row.key, strict=True):
                if code in codes_ok:
                    continue
                if not self.code_ok(code):
                    problems.append(_bad_code(code, line, dimension))
                elif len(codes_ok) < CACHE_LIMIT:
                    codes_ok.add(code)
            if self.key_may_overflow and sum(len(c) + 1 for c in row.key) > KEY_MAX_LENGTH + 1:
                problems.append(Problem(_("The codes of this row are too long."), row=line))
        if row.value is not None and not math.isfinite(row.value):
            problems.append(
                Problem(_("The value must be a finite number."), row=line, column="OBS_VALUE")
            )
        if row.obs_status not in self.obs_statuses:
            problems.append(_bad_code(row.obs_status, line, enums.OBS_STATUS))
        if row.conf_status not in self.conf_statuses:
            problems.append(_bad_code(row.conf_status, line, enums.CONF_STATUS))
        return problems


def _bad_code(code: str, line: int | None, column: str) -> Problem:
    if not code:
        return Problem(_("A code is required here."), row=line, column=column)
    return Problem(
        _("“%(code)s” is not a valid code here.") % {"code": code}, row=line, column=column
    )


def _duplicate(row: RowLike, line: int | None, first: int | None) -> Problem:
    key = ".".join(row.key)
    if first is None:
        message = _("The key %(key)s and period %(period)s appear twice.") % {
            "key": key,
            "period": row.period,
        }
    else:
        message = _(
            "The key %(key)s and period %(period)s were given already on line %(first)s."
        ) % {
            "key": key,
            "period": row.period,
            "first": first,
        }
    return Problem(message, row=line, column="TIME_PERIOD")


# --- Storing ------------------------------------------------------------------------------------


class _Writer(Protocol):
    def __call__(self, cursor: Any, batch: list[tuple[Any, ...]]) -> None: ...


def _columns() -> tuple[str, str]:
    table = connection.ops.quote_name(Observation._meta.db_table)
    names = ("dataset", "period", "key", "value", "obs_status", "conf_status", "revised")
    columns = ", ".join(
        connection.ops.quote_name(str(_field(Observation, name).column)) for name in names
    )
    return table, columns


def _batch_writer() -> _Writer:
    """Writes a batch of observation tuples the fastest way the database offers."""
    table, columns = _columns()
    if connection.vendor == "postgresql":
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"

        def copy(cursor: Any, batch: list[tuple[Any, ...]]) -> None:
            # psycopg's own cursor: its errors are turned into Django's here.
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as stream:
                for values in batch:
                    stream.write_row(values)

        return copy
    # Names are the model's, values are parameters.
    insert_sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608

    def insert(cursor: Any, batch: list[tuple[Any, ...]]) -> None:
        cursor.executemany(insert_sql, batch)

    return insert


def _find_duplicate(dataset: Dataset, batch: list[tuple[Any, ...]], first_line: int) -> Problem:
    """The first row of ``batch`` (refused by the unique constraint) that repeats a key and
    period: of the batch itself, or of the rows already written."""
    seen: dict[tuple[str, str], int] = {}
    for offset, values in enumerate(batch):
        pair = (values[2], values[1])
        if pair in seen:
            return _duplicate(_row_of(values), first_line + offset, seen[pair])
        seen[pair] = first_line + offset
    periods = {values[1] for values in batch}
    written = set(
        Observation.objects.filter(dataset=dataset, period__in=periods).values_list("key", "period")
    )
    for offset, values in enumerate(batch):
        if (values[2], values[1]) in written:
            return _duplicate(_row_of(values), first_line + offset, None)
    return Problem(_("The database refused these observations."), row=first_line)


def _row_of(values: tuple[Any, ...]) -> Row:
    return Row(period=values[1], key=tuple(values[2].split(".")), value=values[3])


def _next_version(indicator: Indicator) -> int:
    highest = indicator.datasets.aggregate(highest=Max("version"))["highest"]
    return (highest or 0) + 1


def _provenance_problems(provenance: Provenance, file_name: str) -> list[Problem]:
    limits = (
        (provenance.source_name, "source_name", _("The source")),
        (provenance.source_url, "source_url", _("The source's address")),
        (provenance.licence, "licence", _("The licence")),
        (file_name, "file_name", _("The file's name")),
    )
    problems = []
    if not provenance.source_name.strip():
        problems.append(Problem(_("Please name the source of the figures.")))
    for value, field, label in limits:
        limit = _field(Dataset, field).max_length or 0
        if len(value) > limit:
            problems.append(
                Problem(
                    _("%(what)s is too long: at most %(limit)s characters.")
                    % {"what": label, "limit": limit}
                )
            )
    if provenance.source_url and not re.match(r"^https?://\S+$", provenance.source_url):
        problems.append(Problem(_("The source's address must start with https:// or http://.")))
    return problems


@transaction.atomic
def store_dataset(
    *,
    indicator: Indicator,
    dimensions: Sequence[str],
    rows: Iterable[RowLike],
    provenance: Provenance,
    origin: DatasetOrigin,
    actor: User | None,
    file_format: FileFormat,
    file_name: str = "",
    file_sha256: str = "",
    structure: str = "",
    quarter: str = "",
) -> Dataset:
    """A new draft version of ``indicator``'s figures holding ``rows``, in one transaction.
    Refused (``DatasetRefused``; nothing saved) when a row is wrong or a key and period
    repeat: a problem's ``row`` is then the row's position + 1 (its line in a file with a
    header line and one line per row).

    Side effects: audit ``observatory.dataset.imported`` (version, counts, format)."""
    problems = dimension_problems(dimensions) + _provenance_problems(provenance, file_name)
    if problems:
        raise DatasetRefused(problems)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    version = _next_version(indicator)
    dataset = Dataset.objects.create(
        public_id=f"{indicator.code}-v{version}",
        indicator=indicator,
        version=version,
        origin=origin,
        status=DatasetStatus.DRAFT,
        source_name=provenance.source_name.strip(),
        source_url=provenance.source_url,
        licence=provenance.licence or enums.DEFAULT_LICENCE,
        retrieved_on=provenance.retrieved_on,
        provenance_note=provenance.note,
        structure=structure[:200],
        file_format=file_format,
        file_name=file_name,
        file_sha256=file_sha256,
        dimensions=list(dimensions),
        quarter=quarter,
        created_by=actor if actor is not None and actor.pk else None,
    )
    dataset_id = dataset.pk
    checker = RowChecker(dimensions)
    write = _batch_writer()
    withheld_codes = enums.WITHHELD
    batch: list[tuple[Any, ...]] = []
    batch_line = 2
    count = withheld = missing = 0
    first = last = None
    periods: set[str] = set()

    def flush(cursor: Any) -> None:
        try:
            with transaction.atomic():
                write(cursor, batch)
        except IntegrityError:
            raise DatasetRefused([_find_duplicate(dataset, batch, batch_line)]) from None

    with connection.cursor() as cursor:
        for line, row in enumerate(rows, start=2):
            row_problems = checker.problems(row, line)
            if row_problems:
                problems.extend(row_problems)
                if len(problems) >= MAX_PROBLEMS:
                    break
                continue
            if problems:
                continue  # refused already: only looking for more problems
            value = row.value
            if row.conf_status in withheld_codes:
                value = None
                withheld += 1
            elif value is None:
                missing += 1
            batch.append(
                (
                    dataset_id,
                    row.period,
                    ".".join(row.key),
                    value,
                    row.obs_status,
                    row.conf_status,
                    False,
                )
            )
            periods.add(row.period)
            if len(batch) >= BATCH:
                flush(cursor)
                batch = []
                batch_line = line + 1
            count += 1
        if problems:
            raise DatasetRefused(problems[:MAX_PROBLEMS])
        if batch:
            flush(cursor)
    if periods:
        ordered = sorted(periods, key=period_sort_key)
        first, last = ordered[0], ordered[-1]
    dataset.observation_count = count
    dataset.period_start = first or ""
    dataset.period_end = last or ""
    dataset.save(update_fields=["observation_count", "period_start", "period_end"])
    audit.record(
        action="observatory.dataset.imported",
        actor=actor,
        obj=dataset,
        data={
            "indicator": indicator.code,
            "version": version,
            "origin": str(origin),
            "format": str(file_format),
            "observations": count,
            "withheld": withheld,
            "missing": missing,
            "file_sha256": file_sha256,
        },
    )
    return dataset


# --- Status -------------------------------------------------------------------------------------


def transition_dataset(
    *, dataset: Dataset, to: DatasetStatus, updates: dict[str, Any] | None = None
) -> Dataset:
    """Move ``dataset`` (its row locked, as the database has it) to status ``to`` as
    ``TRANSITIONS`` allows — the one place a dataset's status is written — with ``updates``
    to other fields in the same save. DatasetRefused otherwise. Runs inside the caller's
    transaction; the audit is the caller's."""
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if to not in TRANSITIONS[locked.status]:
        raise DatasetRefused(
            [
                Problem(
                    _("A dataset that is “%(old)s” cannot become “%(new)s”.")
                    % {
                        "old": DatasetStatus(locked.status).label,
                        "new": DatasetStatus(to).label,
                    }
                )
            ]
        )
    locked.status = to
    for name, value in (updates or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *(updates or {})])
    return locked


def _mark_revisions(dataset: Dataset, previous: Dataset) -> int:
    """Marks, in one statement, the observations of ``dataset`` whose value or withheld state
    differs from ``previous``'s for the same key and period; returns how many."""
    table, _columns_unused = _columns()
    quote = connection.ops.quote_name
    withheld = ", ".join(f"'{code}'" for code in sorted(enums.WITHHELD))
    key, period, value, conf = (quote(name) for name in ("key", "period", "value", "conf_status"))
    sql = f"""
        UPDATE {table} AS new SET {quote("revised")} = %s
        WHERE new.{quote("dataset_id")} = %s AND EXISTS (
            SELECT 1 FROM {table} AS old
            WHERE old.{quote("dataset_id")} = %s AND old.{key} = new.{key}
                AND old.{period} = new.{period}
                AND (old.{value} <> new.{value}
                     OR (old.{value} IS NULL) <> (new.{value} IS NULL)
                     OR (old.{conf} IN ({withheld})) <> (new.{conf} IN ({withheld})))
        )
    """  # noqa: S608 — names are the model's, codes the enums', values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, dataset.pk, previous.pk])
        return int(cursor.rowcount)


@transaction.atomic
def publish_dataset(
    *, dataset: Dataset, actor: User | None, revision_note: str = "", now: datetime | None = None
) -> Dataset:
    """Publish a draft: it becomes the indicator's current version. A version after the first
    needs a note saying what changed (``revision_note``, or the one the draft holds). The
    version published so far is superseded and linked (``replaces``), and the observations
    that differ from it are marked ``revised``. Permissions are the caller's to check.

    Side effects: audit ``observatory.dataset.published`` (version, the version replaced,
    revised count)."""
    now = now or timezone.now()
    indicator = Indicator.objects.select_for_update().get(pk=dataset.indicator_id)
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if locked.status != DatasetStatus.DRAFT:
        transition_dataset(dataset=locked, to=DatasetStatus.PUBLISHED)  # refuses, saying why
    note = revision_note.strip() or locked.revision_note.strip()
    if locked.version > 1 and not note:
        raise DatasetRefused(
            [
                Problem(
                    _("Please say what changed since the previous version."), column="revision_note"
                )
            ]
        )
    previous = (
        Dataset.objects.select_for_update()
        .filter(indicator=indicator, status=DatasetStatus.PUBLISHED)
        .first()
    )
    revised = 0
    if previous is not None:
        transition_dataset(dataset=previous, to=DatasetStatus.SUPERSEDED)
        revised = _mark_revisions(locked, previous)
    published = transition_dataset(
        dataset=locked,
        to=DatasetStatus.PUBLISHED,
        updates={
            "replaces": previous,
            "revision_note": note,
            "revised_count": revised,
            "published_at": now,
            "published_by": actor if actor is not None and actor.pk else None,
        },
    )
    audit.record(
        action="observatory.dataset.published",
        actor=actor,
        obj=published,
        data={
            "indicator": indicator.code,
            "version": published.version,
            "replaces": previous.public_id if previous is not None else "",
            "revised": revised,
        },
    )
    return published


@transaction.atomic
def discard_dataset(*, dataset: Dataset, actor: User | None) -> Dataset:
    """Discard a draft without publishing it: its observations are deleted; the dataset stays,
    so that its version number is never given again.

    Side effects: audit ``observatory.dataset.discarded`` (version, observations deleted)."""
    discarded = transition_dataset(dataset=dataset, to=DatasetStatus.DISCARDED)
    deleted, _by_model = Observation.objects.filter(dataset=discarded).delete()
    audit.record(
        action="observatory.dataset.discarded",
        actor=actor,
        obj=discarded,
        data={"version": discarded.version, "observations": deleted},
    )
    return discarded


# --- Importing a file ---------------------------------------------------------------------------


class DataFile(Protocol):
    """A dataset file as the readers (``sdmx_csv``, ``tabular``) open it."""

    path: Path
    data_path: Path
    dimensions: tuple[str, ...]
    has_indicator_column: bool
    ignored: tuple[str, ...]
    structure: str
    source_name: str
    source_url: str
    licence: str

    def records(self) -> Iterator[Record | ReadProblem]: ...

    def schema_problems(self, limit: int) -> list[ReadProblem]: ...


@dataclass
class _Checked:
    """What the checking pass found."""

    problems: list[Problem]
    count: int
    indicators: dict[str, int]
    """The INDICATOR column's values (at most two) and the line each first appears on."""


def detect_format(path: Path, file_name: str = "") -> FileFormat | None:
    """SDMX-CSV for a name ending ``.sdmx.csv`` or a first line starting DATAFLOW or
    STRUCTURE; CSV for a data package or a CSV file with its schema beside it; else None."""
    name = (file_name or path.name).lower()
    if name.endswith(".sdmx.csv") or sniff(path) is not None:
        return FileFormat.SDMX_CSV
    if is_tabular(path):
        return FileFormat.CSV
    return None


def open_dataset_file(path: Path, file_format: FileFormat) -> DataFile:
    """The file opened by its format's reader; DatasetRefused when its header is wrong."""
    try:
        if file_format == FileFormat.SDMX_CSV:
            return SdmxCsvFile(path)
        return TabularFile(path)
    except FileRefused as error:
        raise DatasetRefused([_problem(problem) for problem in error.problems]) from None


def _problem(problem: ReadProblem) -> Problem:
    return Problem(problem.message, row=problem.line, column=problem.column)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Fingerprints:
    """One 64-bit hash of each key and period, kept in 256 arrays of 8-byte integers (8 MB for
    a million, where a set of them would take some 60 MB) and searched for twins at the end,
    an array at a time."""

    def __init__(self) -> None:
        self.buckets = [array("q") for _ in range(256)]

    def add(self, fingerprint: int) -> None:
        self.buckets[fingerprint & 255].append(fingerprint)

    def twins(self) -> set[int]:
        """The hashes that were added more than once."""
        twins: set[int] = set()
        for bucket in self.buckets:
            if len(set(bucket)) == len(bucket):
                continue
            seen: set[int] = set()
            for fingerprint in bucket:
                if fingerprint in seen:
                    twins.add(fingerprint)
                seen.add(fingerprint)
        return twins


def _check(data: DataFile, limit: int) -> _Checked:
    """The first pass: every record checked, nothing written. Duplicates are found by a hash
    of each key and period; hashes that meet are confirmed by ``_duplicates``."""
    checker = RowChecker(data.dimensions)
    problems: list[Problem] = []
    fingerprints = _Fingerprints()
    indicators: dict[str, int] = {}
    count = 0
    for record in data.records():
        if isinstance(record, ReadProblem):
            problems.append(_problem(record))
        else:
            count += 1
            found = checker.problems(record, record.line)
            if found:
                problems.extend(found)
            fingerprints.add(hash((record.key, record.period)))
            if record.indicator not in indicators and len(indicators) < 2:
                indicators[record.indicator] = record.line
        if len(problems) >= limit:
            break
    twins = fingerprints.twins()
    del fingerprints
    if twins and len(problems) < limit:
        problems.extend(_duplicates(data, twins))
    problems.sort(key=lambda problem: problem.row or 0)
    return _Checked(problems=problems[:limit], count=count, indicators=indicators)


def _duplicates(data: DataFile, suspects: set[int]) -> list[Problem]:
    """The rows whose key and period were given on an earlier line, among those whose hash
    met another's (the file read once more, keeping only those rows)."""
    first: dict[tuple[tuple[str, ...], str], int] = {}
    problems = []
    for record in data.records():
        if isinstance(record, ReadProblem) or hash((record.key, record.period)) not in suspects:
            continue
        pair = (record.key, record.period)
        if pair in first:
            problems.append(
                _duplicate(Row(record.period, record.key, None), record.line, first[pair])
            )
        else:
            first[pair] = record.line
    return problems


def _indicator(
    data: DataFile, checked: _Checked, code: str | None
) -> tuple[Indicator | None, list[Problem]]:
    """The indicator the figures are for: ``code``, or the INDICATOR column's one value; and
    the problems with it (unknown, several, a dimension the indicator does not have)."""
    named = list(checked.indicators.items())
    if data.has_indicator_column and named:
        if len(named) > 1:
            return None, [
                Problem(
                    _(
                        "A dataset holds the figures of one indicator: this line names "
                        "%(this)s, the first named %(first)s."
                    )
                    % {"this": named[1][0], "first": named[0][0]},
                    row=named[1][1],
                    column="INDICATOR",
                )
            ]
        if code and named[0][0] != code:
            return None, [
                Problem(
                    _("The file's figures are for %(file)s, not %(code)s.")
                    % {"file": named[0][0], "code": code},
                    row=named[0][1],
                    column="INDICATOR",
                )
            ]
        code = named[0][0]
    if not code:
        return None, [
            Problem(_("Say which indicator these figures are for, or add an INDICATOR column."))
        ]
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        return None, [
            Problem(_("There is no indicator %(code)s: create it first.") % {"code": code})
        ]
    problems = [
        Problem(
            _("The indicator %(code)s has no dimension %(dimension)s.")
            % {"code": code, "dimension": dimension},
            row=1,
            column=dimension,
        )
        for dimension in data.dimensions
        if indicator.dimensions and dimension not in indicator.dimensions
    ]
    return indicator, problems


def _provenance(given: Provenance | None, data: DataFile, indicator: Indicator) -> Provenance:
    """``given``, its empty source, address and licence filled in from the file (a data
    package's first source and licence), then from the indicator's source."""
    given = given or Provenance(source_name="", licence="")
    return Provenance(
        source_name=given.source_name or data.source_name or indicator.source,
        source_url=given.source_url or data.source_url,
        licence=given.licence or data.licence or enums.DEFAULT_LICENCE,
        retrieved_on=given.retrieved_on,
        note=given.note,
    )


def _rows(data: DataFile) -> Iterator[Record]:
    """The second pass: the checked file's records, for ``store_dataset``."""
    for record in data.records():
        if isinstance(record, ReadProblem):  # the file changed since it was checked
            raise DatasetRefused([_problem(record)])
        yield record


def _silent(message: str) -> None:
    """Progress nobody asked to hear."""


def import_dataset(
    *,
    path: Path,
    file_format: FileFormat | None = None,
    indicator_code: str | None = None,
    provenance: Provenance | None = None,
    actor: User | None = None,
    file_name: str = "",
    report: Callable[[str], None] | None = None,
) -> Dataset:
    """A new draft version of an indicator, from the file at ``path``: SDMX-CSV 1.0 or 2.0, or
    CSV described by a Frictionless Table Schema (``file_format``, else told from the file).
    The whole file is checked first, a line at a time; only a file without a problem is then
    stored (a second reading, in one transaction). DatasetRefused lists the problems (at most
    ``MAX_PROBLEMS``, each with its line, column and reason); nothing is saved.

    The indicator is ``indicator_code``, or the one an INDICATOR column names. Empty parts of
    ``provenance`` are filled in from the file (a data package's source and licence) and the
    indicator's source. ``report`` hears progress (translated sentences). The file's SHA-256
    and name (``file_name``, else the path's) are kept.

    Side effects: those of ``store_dataset``."""
    say = report or _silent
    if not path.is_file():
        raise DatasetRefused([Problem(_("There is no file %(path)s.") % {"path": path})])
    chosen = FileFormat(file_format) if file_format else detect_format(path, file_name)
    if chosen is None:
        raise DatasetRefused(
            [
                Problem(
                    _(
                        "The file's format cannot be told: give an SDMX-CSV file (its first "
                        "column DATAFLOW or STRUCTURE), a data package (datapackage.json), or a "
                        "CSV file with its Table Schema beside it (<name>.schema.json)."
                    )
                )
            ]
        )
    data = open_dataset_file(path, chosen)
    say(
        _("Checking %(name)s (%(format)s)…")
        % {"name": path.name, "format": FileFormat(chosen).label}
    )
    if data.ignored:
        say(_("Columns not kept: %(columns)s.") % {"columns": ", ".join(data.ignored)})
    problems = [_problem(problem) for problem in data.schema_problems(MAX_PROBLEMS)]
    problems.extend(dimension_problems(data.dimensions))
    checked = _check(data, MAX_PROBLEMS - len(problems)) if len(problems) < MAX_PROBLEMS else None
    if checked is not None:
        problems.extend(checked.problems)
    indicator, indicator_problems = _indicator(data, checked or _Checked([], 0, {}), indicator_code)
    problems.extend(indicator_problems)
    if problems or indicator is None or checked is None:
        raise DatasetRefused(problems[:MAX_PROBLEMS])
    say(_("%(count)s observations checked; storing them…") % {"count": checked.count})
    digest = file_sha256(data.data_path)
    with transaction.atomic():
        dataset = store_dataset(
            indicator=indicator,
            dimensions=data.dimensions,
            rows=_rows(data),
            provenance=_provenance(provenance, data, indicator),
            origin=DatasetOrigin.IMPORTED,
            actor=actor,
            file_format=chosen,
            file_name=file_name or path.name,
            file_sha256=digest,
            structure=data.structure,
        )
        if file_sha256(data.data_path) != digest:
            raise DatasetRefused([Problem(_("The file changed while it was being imported."))])
    say(
        _("Stored %(count)s observations as draft %(id)s.")
        % {"count": dataset.observation_count, "id": dataset.public_id}
    )
    return dataset

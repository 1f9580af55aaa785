"""Opening hours: is a place open now, when does it close or open next, what are this week's hours.

Pure Python — no models, no database. It reads HSDS 3.0 schedule rows (``Rule``) plus our two
extensions, holidays (local dates closed all day) and dated closures (``Closure``), in the IANA time
zone of the location.

Meaning, which ``tests/test_hours.py`` restates as a brute-force evaluator: an instant ``t`` is open
when, reading ``t`` on the location's wall clock as local date ``d`` and time ``w``, ``d`` is not a
holiday, some rule applies on ``d`` with ``opens_at <= w < closes_at`` (``closes_at`` 00:00 is the
end of the day), and no closure covers ``t``. The wall clock decides around DST changes: a wall time
that does not exist is never reached, and an hour the clock repeats is open twice.

Instants come back as aware UTC datetimes. Wall-clock positions are carried internally as
datetimes tagged UTC (see ``_wall``) so that arithmetic on them never consults a zone.
"""

import re
from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import combinations
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MIDNIGHT = time(0, 0)

Interval = tuple[datetime, datetime]
"""Half-open span ``[a, b)`` of aware datetimes."""

# zoneinfo lists no transitions, so offsets are probed at this step and a change is bisected to the
# microsecond. No real zone changes its offset twice, and back, within one step.
_PROBE_STEP = timedelta(hours=1)
_TICK = timedelta(microseconds=1)
# A UTC offset is always less than a day (Python enforces it), which bounds how far an instant can
# be from its wall-clock reading.
_DAY = timedelta(days=1)

_BYDAY_ENTRY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
# A month holds at most five of any weekday.
_MAX_ORDINAL = 5


@dataclass(frozen=True, slots=True)
class Rule:
    """One HSDS schedule row.

    ``opens_at`` and ``closes_at`` are local wall-clock times (any tzinfo on them is ignored);
    ``closes_at`` is after ``opens_at``, or 00:00 for midnight at the end of the day.
    """

    opens_at: time
    closes_at: time
    freq: Literal["WEEKLY", "MONTHLY"] = "WEEKLY"
    # "MO".."SU"; MONTHLY also with an ordinal ("1MO", "-1FR"). Empty = every day (WEEKLY).
    byday: tuple[str, ...] = ()
    # MONTHLY: 1..31, or -1..-31 counted from the month's end.
    bymonthday: tuple[int, ...] = ()
    # Every n-th week (weeks start on Monday) or month, counted from dtstart.
    interval: int = 1
    dtstart: date | None = None
    until: date | None = None
    # The validity window of the schedule version this row belongs to, inclusive at both ends.
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class Closure:
    """Closed from ``starts_at`` to ``ends_at`` (``None``: until further notice)."""

    starts_at: datetime
    ends_at: datetime | None
    reason: str = ""

    def __post_init__(self) -> None:
        _require_aware(self.starts_at, "starts_at")
        if self.ends_at is not None:
            _require_aware(self.ends_at, "ends_at")


@dataclass(frozen=True, slots=True)
class Calendar:
    """Everything that decides when one place is open."""

    time_zone: str
    rules: tuple[Rule, ...]
    holidays: Mapping[date, str] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()

    def __post_init__(self) -> None:
        # Fail where the calendar is built, not on the first question asked of it.
        ZoneInfo(self.time_zone)


@dataclass(frozen=True, slots=True)
class Change:
    kind: Literal["opens", "closes"]
    at: datetime  # aware, UTC


@dataclass(frozen=True, slots=True)
class DayHours:
    """The hours of one local date, with holidays and closures already taken out.

    ``intervals`` are wall-clock ``(from, to)`` pairs; ``to`` is 00:00 when the day ends open. A
    wall time the clock shows twice is listed only if the place is open both times. ``closures``
    are those touching the day, for showing why.
    """

    day: date
    intervals: list[tuple[time, time]]
    holiday: str = ""
    closures: list[Closure] = field(default_factory=list)


class Problem(NamedTuple):
    """A stable code and its parameters; the caller turns them into a translated sentence."""

    code: str
    params: dict[str, object]


class InvalidRule(ValueError):
    """A rule, or a ``byday`` text, that cannot be read. ``code`` is one of ``validate_rules``'."""

    def __init__(self, code: str, params: Mapping[str, object] | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        super().__init__(f"{code} {self.params}" if self.params else code)


# --- Reading and checking rules ---------------------------------------------------------------


def parse_byday(text: str) -> tuple[str, ...]:
    """``"MO,TU,WE"`` -> ``("MO", "TU", "WE")``; ordinals are kept (``"+1mo"`` -> ``"1MO"``)."""
    if not text.strip():
        return ()
    entries: list[str] = []
    for part in text.split(","):
        ordinal, weekday = _parse_byday_entry(part.strip().upper())
        entries.append(f"{ordinal}{WEEKDAYS[weekday]}" if ordinal else WEEKDAYS[weekday])
    return tuple(entries)


def validate_rules(rules: Sequence[Rule]) -> list[Problem]:
    """Every problem in ``rules``, as ``(code, params)``; ``params["index"]`` is the row.

    Codes: ``bad_freq``, ``bad_interval``, ``interval_without_dtstart``, ``bad_byday``,
    ``bad_bymonthday``, ``monthly_without_day``, ``closes_before_opens``, ``until_before_dtstart``,
    ``valid_to_before_valid_from``, ``overlapping_validity``.

    Rows sharing one ``(valid_from, valid_to)`` window are one version of the hours; two different
    windows that overlap would leave it unclear which version holds, so that is a problem.
    """
    problems: list[Problem] = []
    for index, rule in enumerate(rules):
        problems.extend(_rule_problems(index, rule))

    first_row_of_window: dict[tuple[date | None, date | None], int] = {}
    for index, rule in enumerate(rules):
        first_row_of_window.setdefault((rule.valid_from, rule.valid_to), index)
    windows = [
        (window, index)
        for window, index in first_row_of_window.items()
        # An empty window is reported as valid_to_before_valid_from and overlaps nothing.
        if window[0] is None or window[1] is None or window[0] <= window[1]
    ]
    for (window, index), (other, other_index) in combinations(windows, 2):
        if _windows_overlap(window, other):
            problems.append(
                Problem(
                    "overlapping_validity",
                    {
                        "index": other_index,
                        "other_index": index,
                        "valid_from": other[0],
                        "valid_to": other[1],
                        "other_valid_from": window[0],
                        "other_valid_to": window[1],
                    },
                )
            )
    return problems


def _parse_byday_entry(entry: str) -> tuple[int, int]:
    """``"-1FR"`` -> ``(-1, 4)``: ordinal (0 for every such weekday) and weekday (Monday 0)."""
    match = _BYDAY_ENTRY.fullmatch(entry)
    if match is None:
        raise InvalidRule("bad_byday", {"value": entry})
    ordinal = int(match[1]) if match[1] else 0
    if match[1] and not 1 <= abs(ordinal) <= _MAX_ORDINAL:
        raise InvalidRule("bad_byday", {"value": entry})
    return ordinal, WEEKDAYS.index(match[2])


def _rule_problems(index: int, rule: Rule) -> list[Problem]:
    problems: list[Problem] = []

    def problem(code: str, **params: object) -> None:
        problems.append(Problem(code, {"index": index, **params}))

    if rule.freq not in ("WEEKLY", "MONTHLY"):
        problem("bad_freq", freq=rule.freq)
    if not isinstance(rule.interval, int) or rule.interval < 1:
        problem("bad_interval", interval=rule.interval)
    elif rule.interval > 1 and rule.dtstart is None:
        problem("interval_without_dtstart", interval=rule.interval)
    for entry in rule.byday:
        try:
            ordinal, _ = _parse_byday_entry(entry)
        except InvalidRule:
            problem("bad_byday", value=entry)
            continue
        # RFC 5545 allows "2MO" only where there is a month to count in.
        if ordinal and rule.freq != "MONTHLY":
            problem("bad_byday", value=entry)
    for monthday in rule.bymonthday:
        if rule.freq != "MONTHLY" or not 1 <= abs(monthday) <= 31:
            problem("bad_bymonthday", value=monthday)
    if rule.freq == "MONTHLY" and not rule.byday and not rule.bymonthday and rule.dtstart is None:
        # RFC 5545 would take the day from dtstart; without one, no day of the month is named.
        problem("monthly_without_day")
    if _naive(rule.closes_at) != MIDNIGHT and _naive(rule.closes_at) <= _naive(rule.opens_at):
        problem("closes_before_opens", opens_at=rule.opens_at, closes_at=rule.closes_at)
    if rule.dtstart is not None and rule.until is not None and rule.until < rule.dtstart:
        problem("until_before_dtstart", dtstart=rule.dtstart, until=rule.until)
    if (
        rule.valid_from is not None
        and rule.valid_to is not None
        and rule.valid_to < rule.valid_from
    ):
        problem("valid_to_before_valid_from", valid_from=rule.valid_from, valid_to=rule.valid_to)
    return problems


def _windows_overlap(
    window: tuple[date | None, date | None], other: tuple[date | None, date | None]
) -> bool:
    first, last = window
    other_first, other_last = other
    return (first is None or other_last is None or first <= other_last) and (
        other_first is None or last is None or other_first <= last
    )


@dataclass(frozen=True, slots=True)
class _ReadRule:
    """A rule checked once, with its ``byday`` parsed into ``(ordinal, weekday)`` pairs."""

    rule: Rule
    byday: tuple[tuple[int, int], ...]

    def in_force(self, day: date) -> bool:
        """Whether ``day`` is within the row's version of the hours and its dtstart..until."""
        rule = self.rule
        if rule.valid_from is not None and day < rule.valid_from:
            return False
        if rule.valid_to is not None and day > rule.valid_to:
            return False
        if rule.dtstart is not None and day < rule.dtstart:
            return False
        return rule.until is None or day <= rule.until

    @property
    def every_week(self) -> bool:
        """Whether the row opens on the same weekdays every week: what a printed week shows."""
        return self.rule.freq == "WEEKLY" and self.rule.interval == 1

    def applies_on(self, day: date) -> bool:
        rule = self.rule
        if not self.in_force(day):
            return False
        if rule.freq == "WEEKLY":
            return self._weekly_applies(day)
        return self._monthly_applies(day)

    def wall_interval(self, day: date) -> Interval:
        closes_day = day + _DAY if _naive(self.rule.closes_at) == MIDNIGHT else day
        return _wall(day, self.rule.opens_at), _wall(closes_day, self.rule.closes_at)

    def _weekly_applies(self, day: date) -> bool:
        rule = self.rule
        if rule.interval > 1 and rule.dtstart is not None:
            weeks = (_monday(day) - _monday(rule.dtstart)).days // 7
            if weeks % rule.interval:
                return False
        return not self.byday or any(weekday == day.weekday() for _, weekday in self.byday)

    def _monthly_applies(self, day: date) -> bool:
        rule = self.rule
        if rule.interval > 1 and rule.dtstart is not None:
            months = (day.year - rule.dtstart.year) * 12 + day.month - rule.dtstart.month
            if months % rule.interval:
                return False
        month_length = monthrange(day.year, day.month)[1]
        # As in RFC 5545, BYMONTHDAY names the days and BYDAY then filters them.
        if rule.bymonthday and not any(
            day.day == (monthday if monthday > 0 else month_length + 1 + monthday)
            for monthday in rule.bymonthday
        ):
            return False
        if self.byday and not any(
            _is_nth_weekday(day, ordinal, weekday, month_length) for ordinal, weekday in self.byday
        ):
            return False
        if not rule.bymonthday and not self.byday:
            return rule.dtstart is not None and day.day == rule.dtstart.day
        return True


@lru_cache(maxsize=1024)
def _read_rule(rule: Rule) -> _ReadRule:
    """Refuse a row that ``validate_rules`` rejects on its own: guessing hours would mislead."""
    problems = _rule_problems(0, rule)
    if problems:
        code, params = problems[0]
        raise InvalidRule(code, {key: value for key, value in params.items() if key != "index"})
    return _ReadRule(rule, tuple(_parse_byday_entry(entry) for entry in rule.byday))


def _is_nth_weekday(day: date, ordinal: int, weekday: int, month_length: int) -> bool:
    if day.weekday() != weekday:
        return False
    if ordinal > 0:
        return (day.day - 1) // 7 + 1 == ordinal
    if ordinal < 0:
        return (month_length - day.day) // 7 + 1 == -ordinal
    return True


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _naive(value: time) -> time:
    return value.replace(tzinfo=None)


# --- Questions ----------------------------------------------------------------------------------


def open_intervals(calendar: Calendar, start: datetime, end: datetime) -> list[Interval]:
    """The open spans within ``[start, end)``: sorted, merged, as aware UTC datetimes."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return []
    zone = ZoneInfo(calendar.time_zone)
    rules = [_read_rule(rule) for rule in calendar.rules]
    # An instant's local date is at most one day before or after that of its neighbours, even
    # when the clock goes back across midnight.
    first_day = start.astimezone(zone).date() - _DAY
    last_day = end.astimezone(zone).date() + _DAY
    walls = _merge(
        rule.wall_interval(day)
        for day in _days(first_day, last_day)
        if day not in calendar.holidays
        for rule in rules
        if rule.applies_on(day)
    )
    opened = _merge(_instants_of(walls, _offset_pieces(zone, start, end)))
    closed = _merge(_clip(closure, start, end) for closure in calendar.closures)
    return _subtract(opened, closed)


def is_open(calendar: Calendar, at: datetime) -> bool:
    _require_aware(at, "at")
    # In UTC first: adding to a local datetime is wall-clock arithmetic, which loses the fold.
    at = at.astimezone(UTC)
    return bool(open_intervals(calendar, at, at + _TICK))


def next_change(
    calendar: Calendar, at: datetime, horizon: timedelta = timedelta(days=31)
) -> Change | None:
    """When ``is_open`` next flips after ``at``, if that is at most ``horizon`` later."""
    _require_aware(at, "at")
    at = at.astimezone(UTC)
    limit = at + horizon
    # Look a day further, so that an open spell running past the horizon is not taken for one
    # that closes there.
    intervals = open_intervals(calendar, at, limit + _DAY)
    if not intervals:
        return None
    first_start, first_end = intervals[0]
    change = Change("closes", first_end) if first_start == at else Change("opens", first_start)
    return change if change.at <= limit else None


def day_hours(calendar: Calendar, day: date) -> DayHours:
    zone = ZoneInfo(calendar.time_zone)
    day_start, day_end = _wall(day, MIDNIGHT), _wall(day + _DAY, MIDNIGHT)
    # Every instant whose wall clock reads ``day`` lies in this span, offsets being under a day.
    span_start, span_end = day_start - _DAY, day_end + _DAY
    pieces = _offset_pieces(zone, span_start, span_end)

    closures: list[Closure] = []
    closed_walls: list[Interval] = []
    for closure in calendar.closures:
        walls = _walls_of(*_clip(closure, span_start, span_end), pieces)
        if any(lo < day_end and hi > day_start for lo, hi in walls):
            closures.append(closure)
            closed_walls.extend(walls)

    holiday = calendar.holidays.get(day, "")
    opened: list[Interval] = []
    if day not in calendar.holidays:
        opened = _merge(
            rule.wall_interval(day)
            for rule in (_read_rule(rule) for rule in calendar.rules)
            if rule.applies_on(day)
        )
    intervals = [
        # The day's end reads 00:00, the same convention as Rule.closes_at.
        (lo.time(), hi.time())
        for lo, hi in _subtract(opened, _merge(closed_walls))
    ]
    return DayHours(day=day, intervals=intervals, holiday=holiday, closures=closures)


def week(calendar: Calendar, first_day: date) -> list[DayHours]:
    return [day_hours(calendar, first_day + timedelta(days=offset)) for offset in range(7)]


# --- The regular week, for what is printed -----------------------------------------------------

Week = tuple[tuple[tuple[time, time], ...], ...]
"""Seven days, Monday first, each with its wall-clock ``(from, to)`` spans (``to`` 00:00 is
midnight at the end of the day), as ``DayHours.intervals`` gives them."""


@dataclass(frozen=True, slots=True)
class RegularWeek:
    """The hours that repeat every week, from ``first`` on (until the next one)."""

    first: date
    days: Week


@dataclass(frozen=True, slots=True)
class IrregularDays:
    """Consecutive local dates ``first``..``last`` whose hours differ from the regular week in
    one way: open ``intervals`` (none: closed), because of ``holiday`` or ``closures`` — or of
    neither, for a row that does not repeat every week (the first Saturday of the month)."""

    first: date
    last: date
    intervals: tuple[tuple[time, time], ...]
    holiday: str = ""
    closures: tuple[Closure, ...] = ()


def regular_week(rules: Sequence[Rule], on: date) -> Week:
    """The hours of the rows in force on ``on`` that repeat every week: what a page printed
    that day can give as "the hours" without dates. Rows that skip weeks or count in months,
    holidays and closures are left out; ``irregular_days`` names the days they change."""
    weekly = [
        rule
        for rule in (_read_rule(rule) for rule in rules)
        if rule.every_week and rule.in_force(on)
    ]
    monday = _monday(on)
    days: list[tuple[tuple[time, time], ...]] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        walls = _merge(rule.wall_interval(day) for rule in weekly if rule._weekly_applies(day))
        days.append(tuple((lo.time(), hi.time()) for lo, hi in walls))
    return tuple(days)


def regular_weeks(rules: Sequence[Rule], first: date, last: date) -> list[RegularWeek]:
    """The regular weeks from ``first`` to ``last``: one, or one more from each date a new
    version of the hours (or a row's dtstart or until) changes it."""
    weeks: list[RegularWeek] = []
    for day in _days(first, last):
        days = regular_week(rules, day)
        if not weeks or weeks[-1].days != days:
            weeks.append(RegularWeek(day, days))
    return weeks


def irregular_days(calendar: Calendar, first: date, last: date) -> list[IrregularDays]:
    """The dates from ``first`` to ``last`` whose hours (``day_hours``) are not those of the
    regular week in force that day, joined into runs of consecutive dates that differ alike.

    With ``regular_weeks`` this is everything ``day_hours`` says about the span: a day in no
    run has its regular week's hours. A closure over several weeks is one run, the weekend days
    it covers included, though they would have been closed anyway."""
    runs: list[IrregularDays] = []
    for day in _days(first, last):
        hours = day_hours(calendar, day)
        intervals = tuple(hours.intervals)
        closures = tuple(hours.closures)
        previous = runs[-1] if runs and runs[-1].last == day - _DAY else None
        # A day closed by the same closures as the run before continues it, a holiday or a
        # day closed anyway included: the closure is the reason the reader needs.
        within_closure = (
            previous is not None
            and not intervals
            and bool(closures)
            and (previous.intervals, previous.closures) == ((), closures)
        )
        if intervals == regular_week(calendar.rules, day)[day.weekday()]:
            if within_closure and previous is not None:
                runs[-1] = replace(previous, last=day)
            continue
        if previous is not None and (
            within_closure
            or (previous.intervals, previous.holiday, previous.closures)
            == (intervals, hours.holiday, closures)
        ):
            holiday = previous.holiday if previous.holiday == hours.holiday else ""
            runs[-1] = replace(previous, last=day, holiday=holiday)
        else:
            runs.append(IrregularDays(day, day, intervals, hours.holiday, closures))
    return runs


# --- Wall clock and instants --------------------------------------------------------------------


def _wall(day: date, at: time) -> datetime:
    """A wall-clock reading, tagged UTC only to be aware; minus the offset it is the instant."""
    return datetime.combine(day, at, tzinfo=UTC)


def _offset_at(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always answers for an aware datetime
        raise ValueError(f"{zone} has no UTC offset at {instant}")
    return offset


def _offset_pieces(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """``[start, end)`` cut into UTC spans ``(from, to, offset)`` over which the offset holds."""
    pieces: list[tuple[datetime, datetime, timedelta]] = []
    piece_start, offset = start, _offset_at(zone, start)
    probe, last = start, end - _TICK
    while probe < last:
        ahead = min(probe + _PROBE_STEP, last)
        if _offset_at(zone, ahead) == offset:
            probe = ahead
            continue
        before, after = probe, ahead
        while after - before > _TICK:
            middle = before + (after - before) // 2
            if _offset_at(zone, middle) == offset:
                before = middle
            else:
                after = middle
        pieces.append((piece_start, after, offset))
        piece_start, offset, probe = after, _offset_at(zone, after), after
    pieces.append((piece_start, end, offset))
    return pieces


def _instants_of(
    walls: Iterable[Interval], pieces: Sequence[tuple[datetime, datetime, timedelta]]
) -> Iterable[Interval]:
    """The instants whose wall clock reads inside ``walls``: a skipped wall time has none, a
    repeated one has two."""
    for wall_start, wall_end in walls:
        for piece_start, piece_end, offset in pieces:
            yield max(piece_start, wall_start - offset), min(piece_end, wall_end - offset)


def _walls_of(
    start: datetime, end: datetime, pieces: Sequence[tuple[datetime, datetime, timedelta]]
) -> list[Interval]:
    """The wall-clock readings of the instants ``[start, end)``."""
    walls: list[Interval] = []
    previous: timedelta | None = None
    for piece_start, piece_end, offset in pieces:
        lo, hi = max(start, piece_start), min(end, piece_end)
        if lo < hi:
            walls.append((lo + offset, hi + offset))
        # When the clock jumps forward while closed, the wall times it skips read as closed too,
        # so that "closed 00:30-02:30" is not shown with a phantom open hour in the middle.
        if previous is not None and offset > previous and start < piece_start < end:
            walls.append((piece_start + previous, piece_start + offset))
        previous = offset
    return walls


# --- Interval arithmetic ------------------------------------------------------------------------


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching spans joined and empty ones dropped."""
    merged: list[Interval] = []
    for lo, hi in sorted(interval for interval in intervals if interval[0] < interval[1]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _subtract(kept: Sequence[Interval], removed: Sequence[Interval]) -> list[Interval]:
    """``kept`` minus ``removed``; both sorted and merged."""
    result: list[Interval] = []
    for lo, hi in kept:
        for cut_lo, cut_hi in removed:
            if cut_hi <= lo or cut_lo >= hi:
                continue
            if cut_lo > lo:
                result.append((lo, cut_lo))
            lo = cut_hi
            if lo >= hi:
                break
        if lo < hi:
            result.append((lo, hi))
    return result


def _clip(closure: Closure, start: datetime, end: datetime) -> Interval:
    """The closure within ``[start, end)``, in UTC: one zone's datetimes compare by wall clock."""
    closure_end = end if closure.ends_at is None else closure.ends_at.astimezone(UTC)
    return max(start, closure.starts_at.astimezone(UTC)), min(end, closure_end)


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")

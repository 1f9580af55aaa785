"""Opening hours: examples named after behaviour, and properties checked against a brute-force
evaluator that reads the definition minute by minute."""

from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coop4int.directory.hours import (
    WEEKDAYS,
    Calendar,
    Change,
    Closure,
    InvalidRule,
    Rule,
    day_hours,
    is_open,
    next_change,
    open_intervals,
    parse_byday,
    validate_rules,
    week,
)

LISBON = ZoneInfo("Europe/Lisbon")
PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Lisbon first: the simplest examples Hypothesis tries, and shrinks to, then have DST changes.
ZONES = ("Europe/Lisbon", "Atlantic/Cape_Verde")
WEEKDAYS_MON_FRI = ("MO", "TU", "WE", "TH", "FR")
MINUTE = timedelta(minutes=1)
QUARTER = timedelta(minutes=15)


def lisbon(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LISBON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- The definition, read literally -------------------------------------------------------------


def brute_rule_applies(rule: Rule, day: date) -> bool:
    if rule.valid_from is not None and day < rule.valid_from:
        return False
    if rule.valid_to is not None and day > rule.valid_to:
        return False
    if rule.dtstart is not None and day < rule.dtstart:
        return False
    if rule.until is not None and day > rule.until:
        return False
    code = WEEKDAYS[day.weekday()]
    if rule.freq == "WEEKLY":
        if rule.interval > 1:
            assert rule.dtstart is not None
            first_monday = rule.dtstart - timedelta(days=rule.dtstart.weekday())
            if ((day - first_monday).days // 7) % rule.interval != 0:
                return False
        return not rule.byday or code in rule.byday

    if rule.interval > 1:
        assert rule.dtstart is not None
        months = (day.year - rule.dtstart.year) * 12 + (day.month - rule.dtstart.month)
        if months % rule.interval != 0:
            return False
    month = [
        date(day.year, day.month, number)
        for number in range(1, monthrange(day.year, day.month)[1] + 1)
    ]
    same_weekday = [other for other in month if other.weekday() == day.weekday()]
    position = same_weekday.index(day)
    names = {code, f"{position + 1}{code}", f"{position - len(same_weekday)}{code}"}
    byday_matches = any(entry in names for entry in rule.byday)
    monthday_matches = any(
        monthday in (day.day, day.day - len(month) - 1) for monthday in rule.bymonthday
    )
    if rule.byday and rule.bymonthday:
        return byday_matches and monthday_matches
    if rule.byday:
        return byday_matches
    if rule.bymonthday:
        return monthday_matches
    assert rule.dtstart is not None
    return day.day == rule.dtstart.day


def brute_is_open(calendar: Calendar, instant: datetime) -> bool:
    local = instant.astimezone(ZoneInfo(calendar.time_zone))
    day, wall = local.date(), local.time()
    if day in calendar.holidays:
        return False
    for closure in calendar.closures:
        if closure.starts_at <= instant and (closure.ends_at is None or instant < closure.ends_at):
            return False
    return any(
        brute_rule_applies(rule, day)
        and rule.opens_at <= wall
        and (rule.closes_at == time(0, 0) or wall < rule.closes_at)
        for rule in calendar.rules
    )


def brute_open_intervals(
    calendar: Calendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Runs of open minutes; exact when every change falls on a whole minute."""
    intervals: list[tuple[datetime, datetime]] = []
    # Stepping a local datetime would step its wall clock; UTC steps time itself.
    minute, end = start.astimezone(UTC), end.astimezone(UTC)
    while minute < end:
        if brute_is_open(calendar, minute):
            if intervals and intervals[-1][1] == minute:
                intervals[-1] = (intervals[-1][0], minute + MINUTE)
            else:
                intervals.append((minute, minute + MINUTE))
        minute += MINUTE
    return intervals


def brute_next_change(calendar: Calendar, at: datetime, horizon: timedelta) -> Change | None:
    at = at.astimezone(UTC)
    was_open = brute_is_open(calendar, at)
    minute = at.replace(second=0, microsecond=0) + MINUTE
    while minute <= at + horizon:
        if brute_is_open(calendar, minute) != was_open:
            return Change("closes" if was_open else "opens", minute)
        minute += MINUTE
    return None


# --- Random calendars ---------------------------------------------------------------------------

# Lisbon's clocks change on 2026-03-29 and 2026-10-25; those days and their neighbours come up most.
DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25)]
anchors = st.one_of(
    st.sampled_from(DST_DAYS),
    st.sampled_from(DST_DAYS).flatmap(
        lambda day: st.integers(-2, 2).map(lambda n: day + timedelta(days=n))
    ),
    st.dates(min_value=date(2025, 12, 1), max_value=date(2027, 1, 31)),
)


def quarter_time(quarter: int) -> time:
    return time(quarter // 4, quarter % 4 * 15)


def monthdays_near(anchor: date) -> list[int]:
    """The days around ``anchor``, counted from the month's start and from its end."""
    days = [anchor + timedelta(days=n) for n in range(-3, 4)]
    return [day.day for day in days] + [
        day.day - monthrange(day.year, day.month)[1] - 1 for day in days
    ]


@st.composite
def rules(draw: st.DrawFn, anchor: date, windows: list[tuple[date | None, date | None]]) -> Rule:
    # Early hours come up often: that is where the clocks change.
    opens = draw(st.one_of(st.integers(0, 95), st.integers(0, 12)))
    # Drawn as the distance back from midnight, so that the simplest rule is open all day.
    closes = 96 - draw(
        st.one_of(st.integers(0, 95 - opens), st.integers(max(0, 84 - opens), 95 - opens))
    )
    freq: Literal["WEEKLY", "MONTHLY"] = draw(st.sampled_from(["WEEKLY", "WEEKLY", "MONTHLY"]))
    if freq == "WEEKLY":
        byday = tuple(draw(st.lists(st.sampled_from(WEEKDAYS), unique=True, max_size=7)))
        bymonthday: tuple[int, ...] = ()
    else:
        ordinals = st.tuples(st.sampled_from([1, 2, 3, 4, 5, -1, -2]), st.sampled_from(WEEKDAYS))
        entry = st.one_of(
            st.sampled_from(WEEKDAYS), ordinals.map(lambda pair: f"{pair[0]}{pair[1]}")
        )
        byday = tuple(draw(st.lists(entry, unique=True, max_size=3)))
        monthdays = st.one_of(
            st.integers(1, 31), st.integers(-31, -1), st.sampled_from(monthdays_near(anchor))
        )
        bymonthday = tuple(draw(st.lists(monthdays, unique=True, max_size=3)))
    interval = draw(st.sampled_from([1, 1, 2, 3]))
    needs_dtstart = interval > 1 or (freq == "MONTHLY" and not byday and not bymonthday)
    # Far enough back for intervals to count several weeks or months.
    earlier = st.dates(min_value=anchor - timedelta(days=70), max_value=anchor + timedelta(days=2))
    dtstart = draw(earlier if needs_dtstart else st.none() | earlier)
    later = st.dates(
        min_value=max(anchor - timedelta(days=2), dtstart or date.min),
        max_value=anchor + timedelta(days=10),
    )
    until = draw(st.none() | later)
    valid_from, valid_to = draw(st.sampled_from(windows))
    return Rule(
        opens_at=quarter_time(opens),
        closes_at=time(0, 0) if closes == 96 else quarter_time(closes),
        freq=freq,
        byday=byday,
        bymonthday=bymonthday,
        interval=interval,
        dtstart=dtstart,
        until=until,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@st.composite
def closures(draw: st.DrawFn, zone: ZoneInfo, anchor: date) -> Closure:
    midnight = datetime.combine(anchor, time(0, 0), tzinfo=UTC)
    starts_at = midnight + QUARTER * draw(st.integers(-2 * 96, 2 * 96))
    ends_at = draw(
        st.one_of(st.integers(1, 16), st.integers(1, 3 * 96), st.none()).map(
            lambda n: None if n is None else starts_at + QUARTER * n
        )
    )
    # Written sometimes in UTC, sometimes in the location's zone: the same instants either way.
    if draw(st.booleans()):
        starts_at = starts_at.astimezone(zone)
        ends_at = None if ends_at is None else ends_at.astimezone(zone)
    return Closure(starts_at=starts_at, ends_at=ends_at, reason="works")


@st.composite
def calendars(draw: st.DrawFn, anchor: date) -> Calendar:
    time_zone = draw(st.sampled_from(ZONES))
    near = st.dates(min_value=anchor - timedelta(days=4), max_value=anchor + timedelta(days=4))
    # Versions of the hours that follow one another without overlapping.
    cuts = sorted(set(draw(st.lists(near, max_size=2))))
    windows: list[tuple[date | None, date | None]] = [(None, None)]
    if cuts:
        windows = [(None, cuts[0] - timedelta(days=1))]
        windows += [(cut, following - timedelta(days=1)) for cut, following in pairwise(cuts)]
        windows += [(cuts[-1], None)]
    calendar = Calendar(
        time_zone=time_zone,
        rules=tuple(draw(st.lists(rules(anchor, windows), min_size=1, max_size=4))),
        holidays=draw(st.dictionaries(near, st.just("Feriado"), max_size=2)),
        closures=tuple(draw(st.lists(closures(ZoneInfo(time_zone), anchor), max_size=2))),
    )
    assert validate_rules(calendar.rules) == []
    return calendar


@st.composite
def windows(draw: st.DrawFn) -> tuple[Calendar, datetime, datetime]:
    """A calendar and a window of up to three days around a (often DST) day, on whole minutes."""
    anchor = draw(anchors)
    midnight = datetime.combine(anchor, time(0, 0), tzinfo=UTC)
    start = midnight - MINUTE * draw(st.integers(-12 * 60, 36 * 60))
    # Drawn as the distance short of three days, so that the simplest window is the longest.
    end = start + MINUTE * (3 * 1440 - draw(st.integers(0, 3 * 1440 - 1)))
    return draw(calendars(anchor)), start, end


@st.composite
def instants(draw: st.DrawFn, start: datetime, end: datetime, zone: str) -> datetime:
    """Any instant of ``[start, end)`` — not only whole minutes — in UTC or the local zone."""
    span = int((end - start) / timedelta(microseconds=1))
    instant = start + timedelta(microseconds=draw(st.integers(0, span - 1)))
    return instant.astimezone(ZoneInfo(zone)) if draw(st.booleans()) else instant


PROPERTY = settings(max_examples=150, deadline=None)


# --- Properties ---------------------------------------------------------------------------------


@PROPERTY
@given(window=windows())
def test_open_intervals_match_the_definition_minute_by_minute(
    window: tuple[Calendar, datetime, datetime],
) -> None:
    calendar, start, end = window
    intervals = open_intervals(calendar, start, end)

    assert intervals == brute_open_intervals(calendar, start, end)
    assert all(lo.tzinfo is UTC and hi.tzinfo is UTC for lo, hi in intervals)


@PROPERTY
@given(data=st.data(), window=windows())
def test_is_open_matches_the_definition_at_any_instant(
    data: st.DataObject, window: tuple[Calendar, datetime, datetime]
) -> None:
    calendar, start, end = window
    for _ in range(20):
        instant = data.draw(instants(start, end, calendar.time_zone))
        assert is_open(calendar, instant) == brute_is_open(calendar, instant)


@PROPERTY
@given(data=st.data(), window=windows())
def test_next_change_is_the_first_flip_minute_by_minute(
    data: st.DataObject, window: tuple[Calendar, datetime, datetime]
) -> None:
    calendar, start, end = window
    at = data.draw(instants(start, end, calendar.time_zone))
    horizon = MINUTE * data.draw(st.integers(0, 3 * 1440))

    assert next_change(calendar, at, horizon) == brute_next_change(calendar, at, horizon)


@PROPERTY
@given(data=st.data())
def test_day_hours_list_exactly_the_wall_times_that_are_open(data: st.DataObject) -> None:
    anchor = data.draw(anchors)
    calendar = data.draw(calendars(anchor))
    day = anchor + timedelta(days=data.draw(st.integers(-1, 1)))
    zone = ZoneInfo(calendar.time_zone)

    hours = day_hours(calendar, day)

    assert hours.holiday == calendar.holidays.get(day, "")
    for quarter in range(96):
        wall = quarter_time(quarter)
        first, second = (datetime.combine(day, wall, tzinfo=zone).replace(fold=f) for f in (0, 1))
        if first.astimezone(UTC).astimezone(zone).time() != wall:
            continue  # the clock skips this wall time: it is never reached
        listed = any(lo <= wall and (hi == time(0, 0) or wall < hi) for lo, hi in hours.intervals)
        # A wall time shown twice is listed when the place is open both times.
        expected = brute_is_open(calendar, first.astimezone(UTC)) and brute_is_open(
            calendar, second.astimezone(UTC)
        )
        assert listed == expected, wall


# --- The Migrant Support Line: a new version of the hours from 2022-03-05 -----------------------

MIGRANT_SUPPORT_LINE = Calendar(
    time_zone="Europe/Lisbon",
    rules=(
        Rule(time(9, 0), time(19, 0), byday=WEEKDAYS_MON_FRI, valid_to=date(2022, 3, 4)),
        Rule(time(9, 0), time(20, 0), byday=WEEKDAYS_MON_FRI, valid_from=date(2022, 3, 5)),
        Rule(time(9, 0), time(17, 0), byday=("SA",), valid_from=date(2022, 3, 5)),
    ),
)


def test_migrant_support_line_is_open_at_19_30_under_the_new_hours() -> None:
    assert is_open(MIGRANT_SUPPORT_LINE, lisbon(2022, 3, 11, 19, 30))


def test_migrant_support_line_was_closed_at_19_30_under_the_old_hours() -> None:
    assert not is_open(MIGRANT_SUPPORT_LINE, lisbon(2022, 3, 4, 19, 30))


def test_migrant_support_line_is_open_on_saturday_morning() -> None:
    assert is_open(MIGRANT_SUPPORT_LINE, lisbon(2022, 3, 12, 10, 0))


def test_migrant_support_line_closes_at_17_on_saturday() -> None:
    change = next_change(MIGRANT_SUPPORT_LINE, lisbon(2022, 3, 12, 16, 0))

    assert change == Change("closes", lisbon(2022, 3, 12, 17, 0))
    assert change is not None
    assert change.at.tzinfo is UTC


def test_migrant_support_line_versions_are_not_an_overlap() -> None:
    assert validate_rules(MIGRANT_SUPPORT_LINE.rules) == []


def test_week_shows_each_version_of_the_hours_on_its_days() -> None:
    days = week(MIGRANT_SUPPORT_LINE, date(2022, 2, 28))

    assert [hours.day for hours in days] == [
        date(2022, 2, 28) + timedelta(days=n) for n in range(7)
    ]
    assert [hours.intervals for hours in days] == [
        *[[(time(9, 0), time(19, 0))]] * 5,
        [(time(9, 0), time(17, 0))],
        [],
    ]


def test_open_intervals_come_back_in_utc_with_touching_spans_joined() -> None:
    calendar = Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=(Rule(time(20, 0), time(0, 0)), Rule(time(0, 0), time(2, 0))),
    )

    intervals = open_intervals(calendar, utc(2026, 5, 4, 12, 0), utc(2026, 5, 6, 0, 0))

    # Praia is at UTC-01:00 all year.
    assert intervals == [
        (utc(2026, 5, 4, 21, 0), utc(2026, 5, 5, 3, 0)),
        (utc(2026, 5, 5, 21, 0), utc(2026, 5, 6, 0, 0)),
    ]


def test_open_past_midnight_closes_on_the_next_day() -> None:
    calendar = Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=(Rule(time(20, 0), time(0, 0)), Rule(time(0, 0), time(2, 0))),
    )

    change = next_change(calendar, datetime(2026, 5, 4, 23, 0, tzinfo=PRAIA))

    assert change == Change("closes", datetime(2026, 5, 5, 2, 0, tzinfo=PRAIA))


# --- Two windows a day, holidays, closures ------------------------------------------------------

BEJA = Calendar(
    time_zone="Europe/Lisbon",
    rules=(
        Rule(time(9, 0), time(12, 30), byday=WEEKDAYS_MON_FRI),
        Rule(time(14, 0), time(17, 30), byday=WEEKDAYS_MON_FRI),
    ),
)


def test_closed_over_lunch_between_two_windows() -> None:
    assert not is_open(BEJA, lisbon(2026, 5, 6, 13, 0))


def test_next_change_over_lunch_is_the_afternoon_opening() -> None:
    assert next_change(BEJA, lisbon(2026, 5, 6, 13, 0)) == Change(
        "opens", lisbon(2026, 5, 6, 14, 0)
    )


def test_day_hours_list_both_windows() -> None:
    hours = day_hours(BEJA, date(2026, 5, 6))

    assert hours.intervals == [(time(9, 0), time(12, 30)), (time(14, 0), time(17, 30))]
    assert hours.holiday == ""
    assert hours.closures == []


def test_national_holiday_closes_the_whole_day_and_is_named() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=BEJA.rules,
        holidays={date(2026, 6, 10): "Dia de Portugal"},
    )

    hours = day_hours(calendar, date(2026, 6, 10))

    assert hours.intervals == []
    assert hours.holiday == "Dia de Portugal"
    assert not is_open(calendar, lisbon(2026, 6, 10, 10, 0))
    assert next_change(calendar, lisbon(2026, 6, 10, 10, 0)) == Change(
        "opens", lisbon(2026, 6, 11, 9, 0)
    )


def test_closed_on_24_december_from_13_shortens_that_day() -> None:
    christmas_eve = Closure(
        starts_at=lisbon(2026, 12, 24, 13, 0),
        ends_at=lisbon(2026, 12, 25, 0, 0),
        reason="Christmas Eve",
    )
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(9, 0), time(17, 30), byday=WEEKDAYS_MON_FRI),),
        closures=(christmas_eve,),
    )

    hours = day_hours(calendar, date(2026, 12, 24))

    assert hours.intervals == [(time(9, 0), time(13, 0))]
    assert hours.closures == [christmas_eve]
    assert next_change(calendar, lisbon(2026, 12, 24, 12, 0)) == Change(
        "closes", lisbon(2026, 12, 24, 13, 0)
    )
    assert day_hours(calendar, date(2026, 12, 23)).intervals == [(time(9, 0), time(17, 30))]
    assert day_hours(calendar, date(2026, 12, 23)).closures == []


def test_temporary_closure_without_end_keeps_it_closed() -> None:
    calendar = Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=(Rule(time(8, 0), time(15, 0), byday=WEEKDAYS_MON_FRI),),
        closures=(
            Closure(
                starts_at=datetime(2026, 2, 2, 0, 0, tzinfo=PRAIA), ends_at=None, reason="works"
            ),
        ),
    )

    assert is_open(calendar, datetime(2026, 1, 30, 10, 0, tzinfo=PRAIA))
    assert not is_open(calendar, datetime(2026, 2, 3, 10, 0, tzinfo=PRAIA))
    assert next_change(calendar, datetime(2026, 2, 3, 10, 0, tzinfo=PRAIA)) is None
    assert next_change(calendar, datetime(2026, 1, 30, 10, 0, tzinfo=PRAIA)) == Change(
        "closes", datetime(2026, 1, 30, 15, 0, tzinfo=PRAIA)
    )
    assert week(calendar, date(2026, 2, 2))[0].intervals == []


def test_next_change_beyond_the_horizon_is_none() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon", rules=(Rule(time(9, 0), time(17, 0), byday=("MO",)),)
    )

    assert next_change(calendar, lisbon(2026, 5, 5, 9, 0), horizon=timedelta(days=5)) is None
    assert next_change(calendar, lisbon(2026, 5, 5, 9, 0), horizon=timedelta(days=6)) == Change(
        "opens", lisbon(2026, 5, 11, 9, 0)
    )


# --- Monthly rules and intervals ----------------------------------------------------------------


def test_monthly_first_monday_opens_only_that_monday() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(10, 0), time(12, 0), freq="MONTHLY", byday=("1MO",)),),
    )

    assert is_open(calendar, lisbon(2026, 3, 2, 11, 0))
    assert not is_open(calendar, lisbon(2026, 3, 9, 11, 0))
    # Five weeks on: further than the default horizon of 31 days.
    assert next_change(calendar, lisbon(2026, 3, 2, 13, 0)) is None
    assert next_change(calendar, lisbon(2026, 3, 2, 13, 0), horizon=timedelta(days=40)) == Change(
        "opens", lisbon(2026, 4, 6, 10, 0)
    )


def test_monthly_last_friday_counts_from_the_end() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(10, 0), time(12, 0), freq="MONTHLY", byday=("-1FR",)),),
    )

    assert is_open(calendar, lisbon(2026, 1, 30, 11, 0))
    assert not is_open(calendar, lisbon(2026, 1, 23, 11, 0))


def test_monthly_last_day_of_the_month() -> None:
    calendar = Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=(Rule(time(9, 0), time(12, 0), freq="MONTHLY", bymonthday=(-1,)),),
    )

    assert day_hours(calendar, date(2026, 2, 28)).intervals == [(time(9, 0), time(12, 0))]
    assert day_hours(calendar, date(2026, 2, 27)).intervals == []
    assert day_hours(calendar, date(2026, 3, 31)).intervals == [(time(9, 0), time(12, 0))]
    assert day_hours(calendar, date(2026, 3, 30)).intervals == []


def test_every_other_week_counts_weeks_from_dtstart() -> None:
    calendar = Calendar(
        time_zone="Atlantic/Cape_Verde",
        rules=(
            Rule(
                time(9, 0),
                time(12, 0),
                byday=("MO", "TH"),
                interval=2,
                dtstart=date(2026, 1, 8),  # a Thursday
            ),
        ),
    )

    open_days = [
        day
        for day in (date(2026, 1, 5) + timedelta(days=n) for n in range(28))
        if day_hours(calendar, day).intervals
    ]

    # Not Monday 5 January (before dtstart), nor the week of 12 January.
    assert open_days == [date(2026, 1, 8), date(2026, 1, 19), date(2026, 1, 22)]


def test_rule_applies_only_from_dtstart_until_until() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(9, 0), time(12, 0), dtstart=date(2026, 7, 1), until=date(2026, 7, 31)),),
    )

    assert day_hours(calendar, date(2026, 6, 30)).intervals == []
    assert day_hours(calendar, date(2026, 7, 1)).intervals == [(time(9, 0), time(12, 0))]
    assert day_hours(calendar, date(2026, 7, 31)).intervals == [(time(9, 0), time(12, 0))]
    assert day_hours(calendar, date(2026, 8, 1)).intervals == []


def test_offset_written_on_rule_times_is_ignored_for_the_wall_clock() -> None:
    # HSDS lets opens_at carry an offset; ours are read on the location's wall clock all year.
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(9, 0, tzinfo=UTC), time(0, 0, tzinfo=UTC)),),
    )

    assert day_hours(calendar, date(2026, 7, 1)).intervals == [(time(9, 0), time(0, 0))]
    assert validate_rules(calendar.rules) == []


# --- Daylight saving time -----------------------------------------------------------------------

ALL_DAY = Calendar(time_zone="Europe/Lisbon", rules=(Rule(time(0, 0), time(0, 0)),))


def test_day_when_clocks_go_forward_has_23_open_hours() -> None:
    [(opens, closes)] = open_intervals(
        ALL_DAY, lisbon(2026, 3, 29, 0, 0), lisbon(2026, 3, 30, 0, 0)
    )

    assert closes - opens == timedelta(hours=23)


def test_day_when_clocks_go_back_has_25_open_hours() -> None:
    [(opens, closes)] = open_intervals(
        ALL_DAY, lisbon(2026, 10, 25, 0, 0), lisbon(2026, 10, 26, 0, 0)
    )

    assert closes - opens == timedelta(hours=25)


def test_hour_that_does_not_exist_is_never_open() -> None:
    calendar = Calendar(time_zone="Europe/Lisbon", rules=(Rule(time(1, 0), time(2, 0)),))

    assert open_intervals(calendar, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 12, 0)) == []
    assert next_change(calendar, utc(2026, 3, 28, 12, 0)) == Change("opens", utc(2026, 3, 30, 0, 0))


def test_repeated_hour_is_open_twice() -> None:
    calendar = Calendar(time_zone="Europe/Lisbon", rules=(Rule(time(1, 0), time(2, 0)),))

    # 01:00-02:00 summer time (00:00-01:00 UTC), then 01:00-02:00 winter time (01:00-02:00 UTC).
    assert open_intervals(calendar, utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 12, 0)) == [
        (utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 2, 0))
    ]


def test_opening_hours_follow_the_wall_clock_across_the_change() -> None:
    calendar = Calendar(time_zone="Europe/Lisbon", rules=(Rule(time(9, 0), time(17, 0)),))

    assert open_intervals(calendar, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0)) == [
        (utc(2026, 3, 28, 9, 0), utc(2026, 3, 28, 17, 0)),
        (utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 16, 0)),
    ]


def test_day_hours_do_not_show_a_skipped_hour_inside_a_closure_as_open() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon",
        rules=(Rule(time(0, 0), time(4, 0)),),
        closures=(Closure(starts_at=utc(2026, 3, 29, 0, 30), ends_at=utc(2026, 3, 29, 1, 30)),),
    )

    # Closed 00:30 winter time to 02:30 summer time: the skipped hour 01:00-02:00 lies inside.
    assert day_hours(calendar, date(2026, 3, 29)).intervals == [
        (time(0, 0), time(0, 30)),
        (time(2, 30), time(4, 0)),
    ]


# --- Refusing what cannot be read ---------------------------------------------------------------


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(MIGRANT_SUPPORT_LINE, datetime(2022, 3, 11, 10, 0))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        Closure(starts_at=datetime(2022, 3, 11, 10, 0), ends_at=None)  # noqa: DTZ001


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(KeyError):
        Calendar(time_zone="Atlantic/Atlantis", rules=())


def test_rule_that_cannot_be_read_is_refused_rather_than_guessed() -> None:
    calendar = Calendar(
        time_zone="Europe/Lisbon", rules=(Rule(time(9, 0), time(17, 0), byday=("XX",)),)
    )

    with pytest.raises(InvalidRule) as raised:
        is_open(calendar, lisbon(2026, 5, 4, 10, 0))
    assert raised.value.code == "bad_byday"
    assert raised.value.params == {"value": "XX"}


def test_parse_byday_splits_and_normalises() -> None:
    assert parse_byday("MO,TU,WE") == ("MO", "TU", "WE")
    assert parse_byday(" mo, +1fr ,-1SU") == ("MO", "1FR", "-1SU")
    assert parse_byday("") == ()


@pytest.mark.parametrize("text", ["MO,,TU", "MON", "0MO", "6TU", "MO TU", "1"])
def test_parse_byday_refuses_what_is_not_a_day(text: str) -> None:
    with pytest.raises(InvalidRule) as raised:
        parse_byday(text)
    assert raised.value.code == "bad_byday"


NINE, FIVE = time(9, 0), time(17, 0)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(
            [Rule(FIVE, NINE)],
            ("closes_before_opens", {"index": 0, "opens_at": FIVE, "closes_at": NINE}),
            id="closes_before_opens",
        ),
        pytest.param(
            [Rule(NINE, NINE)],
            ("closes_before_opens", {"index": 0, "opens_at": NINE, "closes_at": NINE}),
            id="closes_when_it_opens",
        ),
        pytest.param(
            [
                Rule(NINE, FIVE, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30)),
                Rule(NINE, FIVE, byday=("SA",), valid_from=date(2026, 6, 1)),
            ],
            (
                "overlapping_validity",
                {
                    "index": 1,
                    "other_index": 0,
                    "valid_from": date(2026, 6, 1),
                    "valid_to": None,
                    "other_valid_from": date(2026, 1, 1),
                    "other_valid_to": date(2026, 6, 30),
                },
            ),
            id="overlapping_validity",
        ),
        pytest.param(
            [Rule(NINE, FIVE, interval=2)],
            ("interval_without_dtstart", {"index": 0, "interval": 2}),
            id="interval_without_dtstart",
        ),
        pytest.param(
            [Rule(NINE, FIVE, byday=("MO", "XX"))],
            ("bad_byday", {"index": 0, "value": "XX"}),
            id="bad_byday",
        ),
        pytest.param(
            [Rule(NINE, FIVE, byday=("1MO",))],
            ("bad_byday", {"index": 0, "value": "1MO"}),
            id="ordinal_in_weekly_byday",
        ),
        pytest.param(
            [Rule(NINE, FIVE, freq="MONTHLY", bymonthday=(32,))],
            ("bad_bymonthday", {"index": 0, "value": 32}),
            id="bad_bymonthday",
        ),
        pytest.param(
            [Rule(NINE, FIVE, freq="MONTHLY", bymonthday=(0,))],
            ("bad_bymonthday", {"index": 0, "value": 0}),
            id="zero_bymonthday",
        ),
        pytest.param(
            [Rule(NINE, FIVE, bymonthday=(1,))],
            ("bad_bymonthday", {"index": 0, "value": 1}),
            id="bymonthday_in_weekly_rule",
        ),
        pytest.param(
            [Rule(NINE, FIVE, dtstart=date(2026, 5, 1), until=date(2026, 4, 30))],
            (
                "until_before_dtstart",
                {"index": 0, "dtstart": date(2026, 5, 1), "until": date(2026, 4, 30)},
            ),
            id="until_before_dtstart",
        ),
        pytest.param(
            [Rule(NINE, FIVE, valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 30))],
            (
                "valid_to_before_valid_from",
                {"index": 0, "valid_from": date(2026, 5, 1), "valid_to": date(2026, 4, 30)},
            ),
            id="valid_to_before_valid_from",
        ),
        pytest.param(
            [Rule(NINE, FIVE, freq="MONTHLY")],
            ("monthly_without_day", {"index": 0}),
            id="monthly_without_day",
        ),
        pytest.param(
            [Rule(NINE, FIVE, freq="YEARLY")],  # type: ignore[arg-type]
            ("bad_freq", {"index": 0, "freq": "YEARLY"}),
            id="bad_freq",
        ),
        pytest.param(
            [Rule(NINE, FIVE, interval=0)],
            ("bad_interval", {"index": 0, "interval": 0}),
            id="bad_interval",
        ),
    ],
)
def test_validate_rules_reports_the_problem(
    rules: list[Rule], expected: tuple[str, dict[str, object]]
) -> None:
    assert validate_rules(rules) == [expected]


def test_validate_rules_accepts_versions_that_follow_one_another() -> None:
    rules = [
        Rule(NINE, FIVE, valid_to=date(2026, 5, 31)),
        Rule(NINE, FIVE, byday=("SA",), valid_from=date(2026, 6, 1), valid_to=date(2026, 8, 31)),
        Rule(NINE, time(0, 0), valid_from=date(2026, 6, 1), valid_to=date(2026, 8, 31)),
        Rule(NINE, FIVE, valid_from=date(2026, 9, 1)),
        Rule(NINE, FIVE, freq="MONTHLY", byday=("1MO", "-1FR"), bymonthday=(1, -1)),
    ]

    # The last row has no window, so it overlaps every version.
    assert [code for code, _ in validate_rules(rules)] == ["overlapping_validity"] * 3
    assert validate_rules(rules[:4]) == []

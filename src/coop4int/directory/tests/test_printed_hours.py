"""The hours a printed page gives: the regular week and the days that differ from it. Together
they must say what ``day_hours`` says of every day they cover, so that paper does not mislead."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from coop4int.directory.hours import (
    Calendar,
    Closure,
    IrregularDays,
    RegularWeek,
    Rule,
    day_hours,
    irregular_days,
    regular_week,
    regular_weeks,
)
from coop4int.directory.tests.test_hours import PROPERTY, anchors, calendars

PRAIA = "Atlantic/Cape_Verde"
MON_FRI = ("MO", "TU", "WE", "TH", "FR")
DESK = Rule(opens_at=time(8), closes_at=time(15, 30), byday=MON_FRI)
SATURDAY = Rule(opens_at=time(9), closes_at=time(12), byday=("SA",))


def weekdays(opens: time, closes: time) -> tuple[tuple[tuple[time, time], ...], ...]:
    """Monday to Friday open from ``opens`` to ``closes``, the weekend closed."""
    return (((opens, closes),),) * 5 + ((), ())


DESK_WEEK = (*weekdays(time(8), time(15, 30))[:5], ((time(9), time(12)),), ())


def praia(year: int, month: int, day: int, hour: int = 0) -> datetime:
    # Cabo Verde is UTC-1 all year.
    return datetime(year, month, day, hour + 1, tzinfo=UTC)


def test_the_regular_week_is_the_same_whichever_day_of_it_is_asked():
    rules = (DESK, SATURDAY)
    monday = date(2026, 11, 30)
    assert {regular_week(rules, monday + timedelta(days=n)) for n in range(14)} == {DESK_WEEK}


def test_a_row_that_skips_weeks_or_counts_months_is_not_part_of_the_regular_week():
    fortnightly = Rule(time(14), time(16), byday=("MO",), interval=2, dtstart=date(2026, 1, 5))
    first_saturday = Rule(time(9), time(12), freq="MONTHLY", byday=("1SA",))
    week = regular_week((DESK, fortnightly, first_saturday), date(2026, 12, 2))
    assert week == weekdays(time(8), time(15, 30))


def test_new_hours_from_a_date_start_a_new_regular_week():
    old = Rule(time(8), time(15, 30), byday=MON_FRI, valid_to=date(2026, 12, 13))
    new = Rule(time(9), time(17), byday=MON_FRI, valid_from=date(2026, 12, 14))
    weeks = regular_weeks((old, new), date(2026, 12, 1), date(2027, 2, 28))
    assert weeks == [
        RegularWeek(date(2026, 12, 1), weekdays(time(8), time(15, 30))),
        RegularWeek(date(2026, 12, 14), weekdays(time(9), time(17))),
    ]


def test_holidays_and_closures_are_the_irregular_days_and_a_closed_sunday_is_not():
    eve = Closure(praia(2026, 12, 24, 12), praia(2026, 12, 25), "Christmas Eve")
    calendar = Calendar(
        PRAIA,
        (DESK, SATURDAY),
        holidays={date(2026, 12, 25): "Natal", date(2027, 1, 1): "Ano Novo", date(2027, 1, 3): "?"},
        closures=(eve,),
    )
    runs = irregular_days(calendar, date(2026, 12, 1), date(2027, 1, 31))
    assert runs == [
        IrregularDays(date(2026, 12, 24), date(2026, 12, 24), ((time(8), time(12)),), "", (eve,)),
        IrregularDays(date(2026, 12, 25), date(2026, 12, 25), (), "Natal", ()),
        IrregularDays(date(2027, 1, 1), date(2027, 1, 1), (), "Ano Novo", ()),
        # 3 January 2027 is a Sunday: closed anyway, so not worth a line.
    ]


def test_a_closure_over_weeks_is_one_run_and_one_until_further_notice_runs_to_the_end():
    works = Closure(praia(2027, 1, 4), praia(2027, 1, 16), "Works")
    moved = Closure(praia(2027, 2, 1), None, "Moved")
    # A holiday within the works changes nothing: the place is closed for the works.
    holidays = {date(2027, 1, 13): "Dia da Democracia"}
    calendar = Calendar(PRAIA, (DESK, SATURDAY), holidays=holidays, closures=(works, moved))
    runs = irregular_days(calendar, date(2026, 12, 28), date(2027, 2, 28))
    assert runs == [
        IrregularDays(date(2027, 1, 4), date(2027, 1, 15), (), "", (works,)),
        IrregularDays(date(2027, 2, 1), date(2027, 2, 28), (), "", (moved,)),
    ]


def test_the_first_saturday_of_the_month_is_printed_as_an_irregular_opening():
    first_saturday = Rule(time(9), time(12), freq="MONTHLY", byday=("1SA",))
    calendar = Calendar(PRAIA, (DESK, first_saturday))
    runs = irregular_days(calendar, date(2026, 12, 1), date(2027, 1, 31))
    assert [(run.first, run.intervals) for run in runs] == [
        (date(2026, 12, 5), ((time(9), time(12)),)),
        (date(2027, 1, 2), ((time(9), time(12)),)),
    ]


@PROPERTY
@given(data=st.data())
def test_the_regular_weeks_and_the_irregular_days_give_every_days_hours(
    data: st.DataObject,
) -> None:
    anchor = data.draw(anchors)
    calendar = data.draw(calendars(anchor))
    first = anchor - timedelta(days=data.draw(st.integers(0, 6)))
    last = anchor + timedelta(days=data.draw(st.integers(0, 9)))

    weeks = regular_weeks(calendar.rules, first, last)
    runs = irregular_days(calendar, first, last)

    assert weeks[0].first == first
    assert all(a.last < b.first for a, b in pairwise(runs))
    day = first
    while day <= last:
        printed = next(week for week in reversed(weeks) if week.first <= day).days
        run = next((run for run in runs if run.first <= day <= run.last), None)
        expected = run.intervals if run is not None else printed[day.weekday()]
        assert tuple(day_hours(calendar, day).intervals) == expected, day
        day += timedelta(days=1)

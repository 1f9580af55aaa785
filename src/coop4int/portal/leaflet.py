"""What a printed leaflet says of a service's hours, in the reader's language: the regular week
in words ("Monday to Friday: 08:00–15:30") and the dates ahead that differ from it (holidays,
closures) — never "this week", which paper keeps saying long after it has passed."""

from datetime import date, time
from typing import Any

from babel import dates as babel_dates
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coop4int.core.formatting import WEEKDAY_CODES, current_locale, weekday_name
from coop4int.directory.domain.queries import PrintedHours
from coop4int.directory.hours import IrregularDays, Week


def spans_text(spans: tuple[tuple[time, time], ...]) -> str:
    """ "08:00–12:00, 13:30–16:00" as the language writes times."""
    locale = current_locale()
    return ", ".join(
        f"{babel_dates.format_time(opens, 'short', locale=locale)}–"
        f"{babel_dates.format_time(closes, 'short', locale=locale)}"
        for opens, closes in spans
    )


def week_lines(days: Week) -> list[dict[str, str]]:
    """The open days of a regular week, consecutive days with the same hours together."""
    lines: list[dict[str, str]] = []
    start = 0
    while start < len(days):
        end = start
        while end + 1 < len(days) and days[end + 1] == days[start]:
            end += 1
        if days[start]:
            first, last = WEEKDAY_CODES[start], WEEKDAY_CODES[end]
            lines.append(
                {
                    "days": weekday_name(first)
                    if start == end
                    else pgettext("a range of weekdays", "%(first)s to %(last)s")
                    % {"first": weekday_name(first), "last": weekday_name(last)},
                    "hours": spans_text(days[start]),
                }
            )
        start = end + 1
    return lines


def _day(value: date) -> str:
    return babel_dates.format_skeleton("MMMEd", value, locale=current_locale())


def irregular_line(run: IrregularDays, last: date) -> dict[str, str]:
    """One date, or run of dates, that differs from the regular week: when, the hours then
    ("" when closed) and why (the holiday, the closures' reasons)."""
    open_ended = run.last == last and any(closure.ends_at is None for closure in run.closures)
    if open_ended:
        when = _("from %(date)s until further notice") % {"date": _day(run.first)}
    elif run.first == run.last:
        when = _day(run.first)
    else:
        when = babel_dates.format_interval(run.first, run.last, "MMMEd", locale=current_locale())
    reasons = [run.holiday] if run.holiday else []
    reasons += [closure.reason for closure in run.closures if closure.reason]
    return {
        "when": when,
        "hours": spans_text(run.intervals),
        "reason": "; ".join(dict.fromkeys(reasons)),
    }


def printed_hours_page(printed: PrintedHours) -> dict[str, Any]:
    """The leaflet's hours of one service, ready to print (``portal/includes/
    printed_hours.html``)."""
    return {
        "readable": printed.readable,
        "weeks": [
            {
                # The first regular week is the one in force today: it needs no date.
                "since": _day(week.first) if index else "",
                "lines": week_lines(week.days),
            }
            for index, week in enumerate(printed.weeks)
        ],
        "irregular": [irregular_line(run, printed.last) for run in printed.irregular],
        "until": babel_dates.format_date(printed.last, "long", locale=current_locale()),
    }

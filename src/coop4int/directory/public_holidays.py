"""Which days a location is closed for a holiday: national and regional holidays from the
`holidays` package (Cabo Verde with its municipalities, Portugal with its districts), plus
municipal days it does not know (MunicipalHoliday)."""

from datetime import date

import holidays as holiday_calendars

from coop4int.directory.models import Location, MunicipalHoliday


def holidays_between(location: Location, first: date, last: date) -> dict[date, str]:
    """Local dates from ``first`` to ``last`` (inclusive) on which ``location`` is closed."""
    years = range(first.year, last.year + 1)
    subdivision = location.holiday_subdivision or None
    # Names in the country's own language (pt_CV, pt_PT): that is how people know them.
    calendar = holiday_calendars.country_holidays(location.country, subdiv=subdivision, years=years)
    days = {day: str(name) for day, name in calendar.items() if first <= day <= last}
    if location.municipality:
        local_days = MunicipalHoliday.objects.filter(
            country=location.country, municipality=location.municipality
        )
        for local_day in local_days:
            for year in years:
                try:
                    day = date(year, local_day.month, local_day.day)
                except ValueError:
                    continue
                if first <= day <= last:
                    days.setdefault(day, local_day.name)
    return days

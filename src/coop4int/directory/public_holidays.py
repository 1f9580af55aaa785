"""Which days a location is closed for a holiday: national and regional holidays from the
`holidays` package (Cabo Verde with its municipalities, Portugal with its districts), plus
municipal days it does not know (MunicipalHoliday).

The names are given in the reader's language when the package has it for that country (Cabo
Verde: Portuguese, English, French…; Portugal: Portuguese, English…), else in the first language
of the reader's fallback chain that it has (Kabuverdianu readers get Portuguese); each name says
which language it is in, so that a page can mark it."""

from datetime import date
from functools import cache, lru_cache

import holidays as holiday_calendars
from django.conf import settings
from django.utils.translation import get_language

from coop4int.core.languages import UnknownLanguage, fallback_chain
from coop4int.core.languages import get_language as registry_language
from coop4int.directory.models import Location, MunicipalHoliday


class HolidayName(str):
    """A holiday's name, with the registry code of the language it is written in."""

    language: str

    def __new__(cls, text: str, language: str) -> "HolidayName":
        name = super().__new__(cls, text)
        name.language = language
        return name

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        # Calendars are cached (pickled): the language travels with the name.
        return str(self), self.language


@cache
def _calendar_languages(country: str) -> tuple[str, tuple[str, ...]]:
    """The `holidays` package's own language for ``country`` and the ones it translates to
    (its locale names: ``pt_CV``, ``en_US``, ``fr``)."""
    calendar = holiday_calendars.country_holidays(country)
    return calendar.default_language or "", tuple(calendar.supported_languages or ())


def _code(locale: str) -> str:
    return locale.split("_")[0].lower()


def calendar_language(country: str, language: str) -> tuple[str, str]:
    """(the package's locale, our language code) for names of ``country``'s holidays read in
    ``language``: that language, else the first of its fallbacks the package has, else the
    country's own language."""
    own, supported = _calendar_languages(country)
    for code in fallback_chain(language):
        locales = [locale for locale in supported if _code(locale) == code]
        if own in locales:
            return own, code
        if locales:
            # English names are the same in en_US and en_GB; prefer the variant CLDR's region
            # would (none of ours is American).
            return sorted(locales, key=lambda locale: (locale != f"{code}_GB", locale))[0], code
    return own, _code(own) if own else language


@lru_cache(maxsize=256)
def _package_holidays(
    country: str, subdivision: str | None, year: int, locale: str
) -> tuple[tuple[date, str], ...]:
    """One year of the package's holidays (building a calendar costs tens of milliseconds for
    Portugal; its days do not change while the process runs)."""
    calendar = holiday_calendars.country_holidays(
        country, subdiv=subdivision, years=year, language=locale or None
    )
    return tuple(sorted((day, str(name)) for day, name in calendar.items()))


def _reader_language(language: str | None) -> str:
    code = language or get_language() or settings.LANGUAGE_CODE
    try:
        return registry_language(code).code
    except UnknownLanguage:
        return code


def holidays_between(
    location: Location, first: date, last: date, language: str | None = None
) -> dict[date, HolidayName]:
    """Local dates from ``first`` to ``last`` (inclusive) on which ``location`` is closed, with
    the holiday's name in ``language`` (by default the active one) or its marked fallback."""
    years = range(first.year, last.year + 1)
    subdivision = location.holiday_subdivision or None
    locale, code = calendar_language(location.country, _reader_language(language))
    days = {
        day: HolidayName(name, code)
        for year in years
        for day, name in _package_holidays(location.country, subdivision, year, locale)
        if first <= day <= last
    }
    if location.municipality:
        # Municipal days are named by whoever entered them, in the country's own language.
        own, _supported = _calendar_languages(location.country)
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
                    days.setdefault(
                        day, HolidayName(local_day.name, _code(own) or settings.LANGUAGE_CODE)
                    )
    return days

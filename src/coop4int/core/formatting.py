"""Dates, numbers, weekdays, time zones and file sizes written as each language writes them
(Babel / CLDR)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel import units as babel_units
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from coop4int.core.languages import UnknownLanguage
from coop4int.core.languages import get_language as registry_language


def current_locale() -> str:
    try:
        return registry_language(get_language() or settings.LANGUAGE_CODE).locale
    except UnknownLanguage:
        return registry_language(settings.LANGUAGE_CODE).locale


def format_datetime(
    value: datetime, length: str = "medium", locale: str | None = None, tz: str | None = None
) -> str:
    zone = ZoneInfo(tz) if tz else timezone.get_current_timezone()
    return babel_dates.format_datetime(
        value, format=length, tzinfo=zone, locale=locale or current_locale()
    )


def format_date(value: date, length: str = "medium", locale: str | None = None) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return babel_dates.format_date(value, format=length, locale=locale or current_locale())


def format_number(value: int | float | Decimal, locale: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=locale or current_locale())


# iCalendar (RFC 5545) BYDAY codes, as HSDS schedules store them, in Babel's order (Monday 0).
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


DayNameLength = Literal["abbreviated", "narrow", "short", "wide"]


def weekday_name(code: str, length: DayNameLength = "wide", locale: str | None = None) -> str:
    """``"MO"`` → "segunda-feira", "Monday", "lundi"…; an unknown code is returned as it is."""
    code = code.strip().upper()
    if code not in WEEKDAY_CODES:
        return code
    names = babel_dates.get_day_names(length, locale=locale or current_locale())
    return str(names[WEEKDAY_CODES.index(code)])


def format_weekdays(
    codes: Iterable[str], length: DayNameLength = "wide", locale: str | None = None
) -> str:
    """``["MO", "TU"]`` → "segunda-feira e terça-feira", "Monday and Tuesday"…"""
    locale = locale or current_locale()
    names = [weekday_name(code, length, locale) for code in codes if code.strip()]
    return babel_lists.format_list(names, locale=locale) if names else ""


def time_zone_name(zone: str, locale: str | None = None) -> str:
    """An IANA zone in words: ``Atlantic/Cape_Verde`` → "Hora de Cabo Verde", "Cape Verde
    Time"; ``Europe/Lisbon`` → "Hora de Portugal (Lisboa)"."""
    try:
        return babel_dates.get_timezone_location(zone, locale=locale or current_locale())
    except LookupError:
        return zone


def format_file_size(size: int, locale: str | None = None) -> str:
    """A file's size with the unit in words of the language: "193 bytes", "193 octets",
    "12,5 kB", "3,2 MB" (1 kB = 1024 bytes, as the upload limit counts)."""
    locale = locale or current_locale()
    if size < 1024:
        # The long form ("bytes", "octets") where the language has one; its symbol otherwise.
        if babel_units.get_unit_name("digital-byte", "long", locale):
            return babel_units.format_unit(size, "digital-byte", "long", locale=locale)
        return babel_units.format_unit(size, "digital-byte", "short", locale=locale)
    value, unit = size / 1024, "digital-kilobyte"
    if value >= 1024:
        value, unit = value / 1024, "digital-megabyte"
    return babel_units.format_unit(value, unit, "short", format="#,##0.#", locale=locale)

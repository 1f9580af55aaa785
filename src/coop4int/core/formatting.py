"""Dates and numbers written as each language writes them (Babel / CLDR)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
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

"""The breach clock in words: ``{{ clock.remaining|duration }}`` → "1 hora e 30 minutos",
"1 heure et 30 minutes", in the page's language (Babel/CLDR units)."""

from datetime import timedelta

from babel import lists as babel_lists
from babel import units as babel_units
from django import template

from coop4int.core.formatting import current_locale

register = template.Library()


def format_duration(delta: timedelta, locale: str | None = None) -> str:
    """Whole hours and minutes (a deadline is counted in hours, and every language has
    words for both; some lack CLDR's "days"). Under a minute reads "0 minutes"."""
    locale = locale or current_locale()
    minutes = int(abs(delta).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(babel_units.format_unit(hours, "duration-hour", "long", locale=locale))
    if rest or not hours:
        parts.append(babel_units.format_unit(rest, "duration-minute", "long", locale=locale))
    return babel_lists.format_list(parts, locale=locale)


@register.filter
def duration(value: timedelta | None) -> str:
    return "" if value is None else format_duration(value)

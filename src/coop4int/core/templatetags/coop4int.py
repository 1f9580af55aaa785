from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from coop4int.core import bidi, formatting

register = template.Library()


@register.filter
def local_datetime(value: datetime | None, length: str = "medium") -> str:
    """``{{ entry.created_at|local_datetime }}`` — in the page's language and time zone."""
    return formatting.format_datetime(value, length) if value else ""


@register.filter
def local_date(value: date | None, length: str = "medium") -> str:
    return formatting.format_date(value, length) if value else ""


@register.filter
def local_number(value: int | float | Decimal | None) -> str:
    return "" if value is None else formatting.format_number(value)


@register.filter(needs_autoescape=True)
def ltr(value: object, autoescape: bool = True) -> str:
    """``{{ phone.number|ltr }}`` — a number, reference or code kept in its order inside
    right-to-left text: a ``<bdi dir="ltr">`` in HTML; in a plain-text template (an e-mail,
    rendered with autoescape off) Unicode isolates, when the language is right to left."""
    if value is None or value == "":
        return ""
    if autoescape:
        return bidi.isolate(value)
    text = str(value)
    return f"{bidi.LRI}{text}{bidi.PDI}" if bidi.is_rtl(get_language() or "") else text


@register.filter(needs_autoescape=True)
def ltr_runs(value: object, autoescape: bool = True) -> SafeString | str:
    """``{{ address.address_1|ltr_runs }}``, ``{{ text|linebreaks|ltr_runs }}`` — free text
    with each number, postal code or reference in it isolated (``core.bidi.LTR_RUN``)."""
    if value is None:
        return ""
    if not autoescape:
        return bidi.isolate_runs_for_language(str(value), get_language() or "")
    return bidi.isolate_runs(conditional_escape(str(value)))


@register.filter
def file_size(value: int | None) -> str:
    """``{{ attached.size|file_size }}`` — "193 bytes", "193 octets", "12,5 kB"."""
    return "" if value is None else formatting.format_file_size(value)


@register.filter
def weekdays(value: str | None) -> str:
    """``{{ row.byday|weekdays }}`` — iCalendar day codes ("MO,TU") as the page's language
    names the days."""
    return formatting.format_weekdays((value or "").split(","))


@register.filter
def time_zone(value: str | None) -> str:
    """``{{ location.time_zone|time_zone }}`` — "Hora de Cabo Verde", "Cape Verde Time"."""
    return formatting.time_zone_name(value) if value else ""

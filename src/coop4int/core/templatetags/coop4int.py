from datetime import date, datetime
from decimal import Decimal

from django import template

from coop4int.core import formatting

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

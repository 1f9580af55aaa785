"""When an information item is next due for review: a year after it was last checked.

Below the models (a model field's default uses it), so it imports nothing of the app."""

import calendar
from datetime import date

from django.utils import timezone

# How long a checked item is trusted before someone must check it against the facts again.
REVIEW_AFTER_MONTHS = 12


def months_after(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on; the 29th of February, or the 31st of a month
    whose target month is shorter, becomes the last day of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_review(reviewed_on: date) -> date:
    """The review-by date of an item checked (or published) on ``reviewed_on``."""
    return months_after(reviewed_on, REVIEW_AFTER_MONTHS)


def default_review_by() -> date:
    """A new item's review-by date: a year from the day it is created, until it is published."""
    return next_review(timezone.localdate())

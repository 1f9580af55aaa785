"""When a first reply is due: the topic's response-time target, counted in the unit's opening
hours (holidays and closures included, through the directory's hours engine)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import cast
from uuid import UUID

from django.conf import settings
from django.core.cache import cache

from coop4int.cases.models import ResponseTarget
from coop4int.directory import hours
from coop4int.directory.domain.calendars import unit_calendar
from coop4int.directory.domain.index import directory_version

# How far ahead working hours are looked for, window by window.
_WINDOW = timedelta(days=14)
_HORIZON = timedelta(days=180)


def target_hours(topic_ids: Iterable[UUID]) -> int:
    """The shortest target among the topics, else the default target row, else the setting."""
    ids = list(topic_ids)
    targets = [t.working_hours for t in ResponseTarget.objects.filter(topic_id__in=ids) if ids]
    if targets:
        return min(targets)
    default = ResponseTarget.objects.filter(topic__isnull=True).first()
    return default.working_hours if default else settings.CASES_DEFAULT_RESPONSE_HOURS


def add_working_time(calendar: hours.Calendar | None, start: datetime, span: timedelta) -> datetime:
    """The instant when ``span`` of ``calendar``'s open time has passed after ``start``; plain
    clock time when there is no calendar, or no open time within the horizon."""
    if calendar is None or not calendar.rules:
        return start + span
    remaining = span
    window_start = start
    while window_start < start + _HORIZON:
        window_end = window_start + _WINDOW
        for opens, closes in hours.open_intervals(calendar, window_start, window_end):
            available = closes - opens
            if available >= remaining:
                return opens + remaining
            remaining -= available
        window_start = window_end
    return start + span


def cached_unit_calendar(unit_id: int, start: datetime) -> hours.Calendar | None:
    """The unit's calendar around ``start``, kept in the cache until the directory changes
    (its version is part of the key): filing a batch of messages reads it once."""
    first = start.date() - timedelta(days=1)
    key = f"cases:calendar:{unit_id}:{first.isoformat()}:{directory_version()}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return cast("hours.Calendar | None", found)
    calendar = unit_calendar(unit_id, first, (start + _HORIZON).date())
    cache.set(key, calendar, 3600)
    return calendar


_MISSING = object()


def due_at(unit_id: int, topic_ids: Iterable[UUID], start: datetime) -> datetime:
    span = timedelta(hours=target_hours(topic_ids))
    return add_working_time(cached_unit_calendar(unit_id, start), start, span)

"""A bookable desk in Praia for the appointments tests: Monday to Friday, 08:00–16:00."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import StaffFactory
from coop4int.appointments.domain.booking import make_bookable
from coop4int.appointments.models import BookableService
from coop4int.directory.tests.places import praia_desk

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Friday 16 January 2026, 10:00 in Praia. Tuesday 20 January is National Heroes Day.
NOW = datetime(2026, 1, 16, 10, 0, tzinfo=PRAIA)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Praia in January 2026."""
    return datetime(2026, 1, day, hour, minute, tzinfo=PRAIA)


def bookable_desk(unit: Any, **settings: Any) -> BookableService:
    admin = StaffFactory(unit=unit, roles=[Role.ADMINISTRATOR])
    values: dict[str, Any] = {
        "slot_minutes": 30,
        "places": 2,
        "book_ahead_days": 28,
        "cancel_until_hours": 24,
        "now": NOW,
    }
    return make_bookable(actor=admin, service_at_location=praia_desk(unit), **(values | settings))

"""An appointment as an iCalendar file (RFC 5545): one VEVENT a phone's calendar can import,
in the booking's language, on the location's clock (its VTIMEZONE included)."""

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import Booking
from coop4int.core.languages import fallback_chain, interface_language_for
from coop4int.directory.models import Location, Service
from coop4int.directory.texts import service_texts

PRODID = "-//Coop4Int//Appointments//EN"


def public_host() -> str:
    """The host of ``settings.PUBLIC_URL``: what makes an appointment's UID unique worldwide."""
    return urlsplit(settings.PUBLIC_URL).hostname or "localhost"


def booking_uid(booking: Booking) -> str:
    return f"{booking.reference}@{public_host()}"


def service_name(service: Service, language: str) -> str:
    """The service's name in ``language``, else in the first of its fallbacks, else the name
    it was written with."""
    names, _descriptions = service_texts(service)
    for candidate in fallback_chain(language):
        if names.get(candidate):
            return names[candidate]
    return service.name


def location_address(location: Location) -> str:
    """One line: the first physical address (street, city, island), else ``""``."""
    address = location.addresses.filter(address_type="physical").order_by("pk").first()
    if address is None:
        address = location.addresses.order_by("pk").first()
    if address is None:
        return ""
    city = " ".join(part for part in (address.postal_code, address.city) if part)
    parts = (address.address_1, address.address_2, city, address.state_province)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def location_text(location: Location) -> str:
    """The location's name and address, for LOCATION and for messages."""
    parts = (location.name.strip(), location_address(location))
    return ", ".join(part for part in parts if part)


def booking_calendar(booking: Booking, *, now: datetime | None = None) -> bytes:
    """The booking as a VCALENDAR (METHOD:PUBLISH) with one VEVENT: UID from the reference,
    DTSTART/DTEND with the location's TZID, SUMMARY the service's name in the booking's
    language, LOCATION the location's name and address, DESCRIPTION the reference; a cancelled
    (or lapsed) booking says STATUS:CANCELLED."""
    service_at_location = booking.bookable.service_at_location
    service, location = service_at_location.service, service_at_location.location
    zone = location.time_zone or settings.TIME_ZONE
    language = interface_language_for(booking.language)
    stamp = (now or timezone.now()).astimezone(UTC)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    event = icalendar.Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(booking.starts_at, ZoneInfo(zone)))
    event.add("dtend", timezone.localtime(booking.ends_at, ZoneInfo(zone)))
    event.add("summary", service_name(service, booking.language))
    place = location_text(location)
    if place:
        event.add("location", place)
    with translation.override(language):
        description = _("Appointment reference: %(reference)s") % {"reference": booking.reference}
    event.add("description", description)
    cancelled = booking.status in (BookingStatus.CANCELLED, BookingStatus.LAPSED)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # Same UID: a later DTSTAMP (a moved time), or a higher SEQUENCE (cancelled), replaces
    # what the calendar holds (RFC 5546).
    event.add("sequence", 1 if cancelled else 0)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()

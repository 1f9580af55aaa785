"""What a public directory page shows, in the reader's language: names with their fallback,
hours in the location's time zone, phones ready to tap, a map drawn without a tile server."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel import dates as babel_dates
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coop4int.core.formatting import current_locale, time_zone_name
from coop4int.core.languages import REGISTRY, UnknownLanguage, fallback_chain, get_language
from coop4int.directory.domain.queries import (
    OpeningStatus,
    ServiceHours,
    can_be_called,
    phones_to_call,
)
from coop4int.directory.hours import DayHours
from coop4int.directory.models import (
    DirectoryEntry,
    Location,
    Phone,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from coop4int.directory.texts import service_texts


@dataclass(frozen=True, slots=True)
class Text:
    value: str
    language: str
    is_fallback: bool

    @property
    def language_name(self) -> str:
        try:
            return get_language(self.language).native_name
        except UnknownLanguage:
            return self.language

    @property
    def direction(self) -> str:
        return REGISTRY[self.language].direction.value if self.language in REGISTRY else "ltr"


def pick(texts: dict[str, str], language: str, source: str) -> Text:
    """The text in ``language``, else the first of its fallbacks, else the source text."""
    for candidate in [*fallback_chain(language), source]:
        if texts.get(candidate):
            return Text(texts[candidate], candidate, candidate != language)
    return Text("", source, True)


def local_time(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return ""
    return babel_dates.format_time(moment, "short", tzinfo=ZoneInfo(zone), locale=current_locale())


def _on_the_readers_clock(moment: datetime, zone: str) -> bool:
    """Whether the place's clock shows what the readers' (Cabo Verde's) does at ``moment``."""
    reader = ZoneInfo(settings.TIME_ZONE)
    return moment.astimezone(ZoneInfo(zone)).utcoffset() == moment.astimezone(reader).utcoffset()


def _day_and_time(moment: datetime, zone: str, now: datetime) -> str:
    """ "17:00" on ``now``'s day at the place, "Monday 09:00" on another day."""
    tz = ZoneInfo(zone)
    time_text = local_time(moment, zone)
    if moment.astimezone(tz).date() == now.astimezone(tz).date():
        return time_text
    weekday = babel_dates.format_date(moment.astimezone(tz), "EEEE", locale=current_locale())
    return f"{weekday} {time_text}"


def local_moment(moment: datetime, zone: str, now: datetime | None = None) -> str:
    """ "17:00" today, "Monday 09:00" on another day, on the place's clock; for a place whose
    clock differs from the readers' (Lisbon, for a reader in Cabo Verde), with both clocks
    named in words: "Monday 09:00, Portugal Time (Lisbon) (Monday 08:00, Cape Verde Time)"."""
    now = now or timezone.now()
    place = _day_and_time(moment, zone, now)
    if _on_the_readers_clock(moment, zone):
        return place
    return _("%(place_time)s, %(place_zone)s (%(reader_time)s, %(reader_zone)s)") % {
        "place_time": place,
        "place_zone": time_zone_name(zone),
        "reader_time": _day_and_time(moment, settings.TIME_ZONE, now),
        "reader_zone": time_zone_name(settings.TIME_ZONE),
    }


def clock_note(zone: str, now: datetime) -> str:
    """For a place on another clock than the readers': what time it is there and here."""
    if _on_the_readers_clock(now, zone):
        return ""

    def weekday_time(clock: str) -> str:
        moment = now.astimezone(ZoneInfo(clock))
        weekday = babel_dates.format_date(moment, "EEEE", locale=current_locale())
        return f"{weekday} {local_time(now, clock)}"

    return _("It is now %(place_time)s there, and %(reader_time)s, %(reader_zone)s.") % {
        "place_time": weekday_time(zone),
        "reader_time": weekday_time(settings.TIME_ZONE),
        "reader_zone": time_zone_name(settings.TIME_ZONE),
    }


def language_names(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, REGISTRY[code].native_name if code in REGISTRY else code) for code in codes]


def entry_card(
    entry: DirectoryEntry, language: str, status: OpeningStatus, now: datetime | None = None
) -> dict[str, Any]:
    open_until, opens_next = status.open_until, status.opens_next
    return {
        "url": reverse("portal:directory_detail", args=[entry.pk]),
        "name": pick(entry.names, language, entry.source_language),
        "summary": pick(entry.summaries, language, entry.source_language),
        "location_name": entry.location_name,
        "address": entry.address_line,
        "island": entry.island,
        "municipality": entry.municipality,
        "languages": language_names(entry.languages),
        "walk_in": entry.walk_in,
        "appointment_required": entry.appointment_required,
        "telephone_line": entry.telephone_line,
        "accessible": entry.accessible,
        "is_open": open_until is not None,
        "closes_at": local_moment(open_until, entry.time_zone, now) if open_until else "",
        "opens_at": local_moment(opens_next, entry.time_zone, now) if opens_next else "",
    }


def tel_link(phone: Phone, country: str) -> str:
    """The number as a tel: address, or "" when it cannot be called (a fax, a pager) or does
    not parse."""
    if not can_be_called(phone):
        return ""
    try:
        parsed = phonenumbers.parse(phone.number, country or "CV")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_rows(phones: list[Phone], country: str) -> list[tuple[Phone, str]]:
    """Each phone with its tel: address ("" when it is not to be called)."""
    return [(phone, tel_link(phone, country)) for phone in phones]


def service_name(service: Service, language: str) -> str:
    names, _descriptions = service_texts(service)
    return pick(names, language, service.language).value


def line_card(line: Service, country: str, language: str) -> dict[str, Any]:
    """A telephone line as the home page offers it: its name and the numbers to call."""
    callable_phones = [phone for phone in line.phones.all() if can_be_called(phone)]
    return {"name": service_name(line, language), "phones": phone_rows(callable_phones, country)}


# Bounding boxes of the countries we draw (south, west, north, east) and their labels.
MAP_AREAS = {
    "CV": ((14.75, -25.45, 17.25, -22.6), [
        ("Santo Antão", 17.05, -25.17), ("São Vicente", 16.85, -24.97),
        ("São Nicolau", 16.6, -24.25), ("Sal", 16.72, -22.93),
        ("Boa Vista", 16.1, -22.82), ("Maio", 15.22, -23.17),
        ("Santiago", 15.08, -23.63), ("Fogo", 14.92, -24.38), ("Brava", 14.85, -24.72),
    ]),
    "PT": ((36.9, -9.6, 42.2, -6.1), [
        ("Porto", 41.15, -8.61), ("Lisboa", 38.72, -9.14), ("Beja", 38.02, -7.86),
        ("Faro", 37.02, -7.93),
    ]),
}  # fmt: skip


def schematic_map(
    latitude: Decimal | None, longitude: Decimal | None, country: str, label: str
) -> SafeString:
    """An SVG map with the place as a dot among the country's islands or cities."""
    if latitude is None or longitude is None or country not in MAP_AREAS:
        return SafeString("")
    (south, west, north, east), places = MAP_AREAS[country]
    width, height = 320, 240

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = (lon - west) / (east - west) * (width - 40) + 20
        y = (north - lat) / (north - south) * (height - 40) + 20
        return round(x, 1), round(y, 1)

    marks = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="#4a5561"/>'
        '<text x="{}" y="{}" font-size="11" fill="#4a5561" text-anchor="{}">{}</text>',
        (
            # Labels of places near the eastern edge go to the left of their dot.
            (
                x,
                y,
                x - 5 if x > width * 0.7 else x + 5,
                y - 4,
                "end" if x > width * 0.7 else "start",
                name,
            )
            for name, lat, lon in places
            for x, y in [xy(lat, lon)]
        ),
    )
    x, y = xy(float(latitude), float(longitude))
    return format_html(
        '<svg class="map" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        '<rect width="100%" height="100%" fill="#e8f1f6"/>{}'
        '<circle cx="{}" cy="{}" r="8" fill="#a4161a" stroke="#fff" stroke-width="2"/></svg>',
        width, height, label, marks, x, y,
    )  # fmt: skip


def topic_text(term: TaxonomyTerm, language: str) -> Text:
    """A topic's name in ``language``, else its marked fallback (the term's own name)."""
    source = term.language or settings.LANGUAGE_CODE
    return pick({**term.names, source: term.names.get(source) or term.name}, language, source)


def holiday_fallback(week: list[DayHours], language: str) -> str:
    """The name of the language holiday names in ``week`` are shown in instead of
    ``language`` ("" when they are all in it)."""
    for day in week:
        shown = getattr(day.holiday, "language", language)
        if day.holiday and shown != language:
            return Text("", shown, True).language_name
    return ""


def _has_details(
    service: Service, location: Location, phones: list[Phone], week: list[DayHours]
) -> bool:
    """Whether the page shows any of the service's untranslated details."""
    return bool(
        service.alert
        or service.fees_description
        or location.transportation
        or any(phone.description for phone in phones)
        or service.required_documents.all()
        or location.accessibility.all()
        or any(closure.reason for day in week for closure in day.closures)
    )


def service_page(
    sal: ServiceAtLocation, language: str, service_hours: ServiceHours
) -> dict[str, Any]:
    service, location = sal.service, sal.location
    names, descriptions = service_texts(service)
    address = next(iter(location.addresses.all()), None)
    phones = phones_to_call(sal)
    fallback_from = phones.fallback_from
    languages = sorted(
        {lang.code for lang in [*service.languages.all(), *location.languages.all()] if lang.code}
    )
    zone = location.time_zone
    change = service_hours.change
    topics = service.attributes.all()
    return {
        "sal": sal,
        "service": service,
        "location": location,
        "address": address,
        "name": pick(names, language, service.language),
        "description": pick(descriptions, language, service.language),
        "available_languages": language_names(sorted(names)),
        "phones": phone_rows(phones.own, location.country),
        # When no number of the place can be called: whose numbers to call instead.
        "fallback_phones": phone_rows(phones.fallback, location.country),
        "fallback_name": service_name(fallback_from, language)
        if isinstance(fallback_from, Service)
        else getattr(fallback_from, "name", ""),
        "languages": language_names(languages),
        "topics": [topic_text(attribute.taxonomy_term, language) for attribute in topics],
        "documents": list(service.required_documents.all()),
        "accessibility": list(location.accessibility.all()),
        "hours": service_hours,
        "week": [
            {
                "day": babel_dates.format_date(day.day, "EEEE d MMM", locale=current_locale()),
                "is_today": day.day == service_hours.today,
                "intervals": [
                    f"{babel_dates.format_time(a, 'short', locale=current_locale())}–"
                    f"{babel_dates.format_time(b, 'short', locale=current_locale())}"
                    for a, b in day.intervals
                ],
                "holiday": day.holiday,
                "closures": [c.reason for c in day.closures],
            }
            for day in service_hours.week
        ],
        "change_at": local_moment(change.at, zone, service_hours.now) if change else "",
        "clock_note": clock_note(zone, service_hours.now or timezone.now()),
        "change_kind": change.kind if change else "",
        "time_zone": time_zone_name(zone),
        # The details that have no translation (alert, cost, documents, phones' and places'
        # descriptions, closures) are in the service's language: marked, with a note.
        "details": Text("", service.language, service.language != language),
        "details_shown": _has_details(
            service, location, phones.own + phones.fallback, service_hours.week
        ),
        "holidays_shown_in": holiday_fallback(service_hours.week, language),
        "map": schematic_map(
            location.latitude, location.longitude, location.country, location.name
        ),
        "geo_uri": f"geo:{location.latitude},{location.longitude}"
        if location.latitude is not None
        else "",
    }

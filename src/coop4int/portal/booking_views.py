"""Booking an appointment without an account, in plain pages that need no JavaScript:
service → place (a unit's location) → day → time → the person's details → the appointment's
own page, reached again through its secret link, where it can be saved to a calendar, moved,
cancelled, or — for a place offered from the waiting list — accepted.

Services of the same name at several places are one choice on the first page: each unit keeps
its own directory service, and a person chooses the kind of help before the place.

Every page of the flow is marked personal (``case_views.private``): the places left change by
the minute and the forms carry what a person typed. The appointment's pages hold the secret in
their address: they send on only the site's origin as a referrer. Writes go through
``appointments.domain.booking``; what it refuses is shown in the page's language and the form
keeps what was typed."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.appointments.calendar_file import booking_calendar
from coop4int.appointments.domain.booking import (
    PUBLIC_BOOKING_LIMIT,
    BookingRefused,
    SlotFull,
    accept_offer,
    book_slot,
    cancel_booking,
    cancel_deadline,
    join_waiting_list,
    move_booking,
    secret_matches,
)
from coop4int.appointments.domain.slots import Slot, slots_between
from coop4int.appointments.enums import ACTIVE, BookingStatus
from coop4int.appointments.models import BookableService, Booking
from coop4int.cases.domain.references import normalise_reference
from coop4int.core.formatting import current_locale, time_zone_name
from coop4int.directory.models import Address, Service, ServiceAtLocation
from coop4int.directory.texts import service_texts
from coop4int.portal.abuse import filled_by_robot
from coop4int.portal.booking_forms import BookingForm, ContactForm, TimeForm
from coop4int.portal.case_views import TRACKING_REFERRER_POLICY, private
from coop4int.portal.presentation import local_time, pick

# How many days one page of the day list shows.
DAYS_PER_PAGE = 14
# Where the day a person joined the waiting list for waits for the page that confirms it.
WAITING_KEY = "portal:waiting_joined"
# Which field of the form a refusal of the domain is about (the rest concern the whole form).
REFUSAL_FIELDS = {"name": "name", "language": "language", "notify_by": "notify_by"}


# --- Reading ----------------------------------------------------------------------------------


def _bookable_places() -> QuerySet[ServiceAtLocation]:
    """Every service at a location that can be booked now, with what its pages show."""
    return (
        ServiceAtLocation.objects.filter(bookable__active=True)
        .exclude(service__status="defunct")
        .select_related("service", "service__unit", "location", "bookable")
        .prefetch_related("service__translations", "location__addresses")
        .order_by("service__name", "location__name", "pk")
    )


def _place(sal_id: UUID) -> tuple[ServiceAtLocation, BookableService]:
    """A bookable service at a location and its booking settings; 404 when it cannot be
    booked."""
    sal = _bookable_places().filter(pk=sal_id).first()
    if sal is None:
        raise Http404
    bookable: BookableService = sal.bookable
    bookable.service_at_location = sal
    return sal, bookable


def _booking_for_link(reference: str, secret: str) -> Booking:
    """The booking a person reaches through their link; 404 unless both parts match, the same
    404 for an unknown reference as for a wrong secret."""
    booking = (
        Booking.objects.select_related(
            "bookable__service_at_location__service__unit",
            "bookable__service_at_location__location",
        )
        .prefetch_related(
            "bookable__service_at_location__service__translations",
            "bookable__service_at_location__location__addresses",
        )
        .filter(reference=normalise_reference(reference))
        .first()
    )
    if booking is None or not secret_matches(booking, secret):
        raise Http404
    return booking


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


def _hhmm(slot: Slot) -> str:
    """A slot's start on the location's clock, as the pages' addresses and forms carry it."""
    return slot.start.strftime("%H%M")


def _times(slots: list[Slot], zone: str) -> list[tuple[str, str]]:
    """(value, label) of each slot: ``0930`` and "09:30–10:00" in the page's language."""
    return [
        (_hhmm(slot), f"{local_time(slot.start, zone)}–{local_time(slot.end, zone)}")
        for slot in slots
    ]


def _slot_of(slots: list[Slot], hhmm: str) -> Slot | None:
    return next((slot for slot in slots if _hhmm(slot) == hhmm), None)


def _day_label(day: date) -> str:
    return babel_dates.format_date(day, "full", locale=current_locale())


@dataclass(frozen=True, slots=True)
class Period:
    """The days a place may be booked on at ``now``: from today to the booking horizon, on the
    location's calendar."""

    first: date
    last: date

    @classmethod
    def of(cls, bookable: BookableService, zone: ZoneInfo, now: datetime) -> "Period":
        return cls(
            now.astimezone(zone).date(),
            (now + timedelta(days=bookable.book_ahead_days)).astimezone(zone).date(),
        )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def _day_rows(
    bookable: BookableService,
    zone: ZoneInfo,
    start_text: str,
    now: datetime,
    link: Callable[[date], str],
) -> dict[str, Any]:
    """One page of the day list from ``start_text`` (a date; today when missing or out of
    range): each day with times, how many are free, and the addresses of the pages before
    and after."""
    period = Period.of(bookable, zone, now)
    try:
        start = date.fromisoformat(start_text)
    except ValueError:
        start = period.first
    start = min(max(start, period.first), period.last)
    end = min(start + timedelta(days=DAYS_PER_PAGE - 1), period.last)
    by_day: dict[date, list[Slot]] = defaultdict(list)
    for slot in slots_between(bookable, start_date=start, end_date=end, now=now):
        by_day[slot.start.date()].append(slot)
    rows = [
        {
            "day": day,
            "label": _day_label(day),
            "free": sum(1 for slot in slots if slot.remaining > 0),
            "url": link(day),
        }
        for day, slots in sorted(by_day.items())
    ]
    earlier = max(start - timedelta(days=DAYS_PER_PAGE), period.first)
    return {
        "days": rows,
        "earlier": earlier.isoformat() if start > period.first else "",
        "later": (end + timedelta(days=1)).isoformat() if end < period.last else "",
    }


def _place_context(sal: ServiceAtLocation, language: str) -> dict[str, Any]:
    """What every page of a place shows of it: the service's name in the page's language (a
    fallback marked), the location, its address, the unit, and the clock its times are on."""
    names, _descriptions = service_texts(sal.service)
    address: Address | None = next(iter(sal.location.addresses.all()), None)
    return {
        "sal": sal,
        "service_name": pick(names, language, sal.service.language),
        "location": sal.location,
        "address": address,
        "unit": sal.service.unit,
        "time_zone": time_zone_name(sal.location.time_zone),
    }


def _language() -> str:
    return get_language() or "pt"


# --- The steps --------------------------------------------------------------------------------


@private()
def appointments(request: HttpRequest) -> HttpResponse:
    """Step 1: the services that can be booked, each name once."""
    language = _language()
    services: dict[str, dict[str, Any]] = {}
    for sal in _bookable_places():
        key = sal.service.name.strip().casefold()
        if key not in services:
            names, _descriptions = service_texts(sal.service)
            services[key] = {
                "service": sal.service,
                "name": pick(names, language, sal.service.language),
                "places": 0,
            }
        services[key]["places"] += 1
    choices = sorted(services.values(), key=lambda choice: choice["name"].value.casefold())
    return render(request, "portal/appointments/services.html", {"services": choices})


@private()
def appointment_places(request: HttpRequest, service_id: UUID) -> HttpResponse:
    """Step 2: the places (units' locations) where the service can be booked."""
    service = Service.objects.prefetch_related("translations").filter(pk=service_id).first()
    if service is None:
        raise Http404
    sals = list(_bookable_places().filter(service__name__iexact=service.name.strip()))
    if not sals:
        raise Http404
    language = _language()
    names, _descriptions = service_texts(service)
    return render(
        request,
        "portal/appointments/places.html",
        {
            "service_name": pick(names, language, service.language),
            "places": [_place_context(sal, language) for sal in sals],
        },
    )


@private()
def appointment_days(request: HttpRequest, sal_id: UUID) -> HttpResponse:
    """Step 3: the days with times, and whether any place is left on each."""
    sal, bookable = _place(sal_id)
    zone = ZoneInfo(sal.location.time_zone)
    days = _day_rows(
        bookable,
        zone,
        request.GET.get("from", ""),
        timezone.now(),
        lambda day: reverse("portal:appointment_times", args=[sal.pk, day.isoformat()]),
    )
    context = _place_context(sal, _language()) | days
    return render(request, "portal/appointments/days.html", context)


@private()
def appointment_times(request: HttpRequest, sal_id: UUID, day: str) -> HttpResponse:
    """Step 4: the day's free times; a full day offers its waiting list."""
    sal, bookable = _place(sal_id)
    chosen = _day(day)
    slots = slots_between(bookable, start_date=chosen, end_date=chosen, now=timezone.now())
    free = [slot for slot in slots if slot.remaining > 0]
    context = _place_context(sal, _language()) | {
        "day": chosen,
        "day_label": _day_label(chosen),
        "times": _times(free, sal.location.time_zone),
        "full": bool(slots) and not free,
    }
    return render(request, "portal/appointments/times.html", context)


def _refuse(form: ContactForm, error: BookingRefused) -> None:
    """A refusal of the domain on the form, at the field it is about."""
    form.add_error(REFUSAL_FIELDS.get(str(error.code)), error.messages)


@private()
def appointment_book(request: HttpRequest, sal_id: UUID, day: str) -> HttpResponse:
    """Step 5: the person's details for the time chosen (``?time=HHMM``), and the booking.
    A time taken meanwhile is refused with the day's remaining times to choose from."""
    sal, bookable = _place(sal_id)
    chosen = _day(day)
    now = timezone.now()
    zone = sal.location.time_zone
    language = _language()

    def day_slots() -> list[Slot]:
        return slots_between(bookable, start_date=chosen, end_date=chosen, now=now)

    slots = day_slots()
    free = [slot for slot in slots if slot.remaining > 0]
    notice = ""
    # Every slot of the day is a valid answer: a time just taken is told so, not "invalid".
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        times=_times(slots, zone),
        language=language,
    )
    status = 200
    if request.method != "POST":
        time = request.GET.get("time", "")
        if _slot_of(slots, time) is None:
            return redirect("portal:appointment_times", sal.pk, chosen.isoformat())
        form.initial["time"] = time
        if _slot_of(free, time) is None:
            notice = _("This time was just taken. Please choose another.")
            form.offer_times(_times(free, zone))
    elif form.is_valid():
        if filled_by_robot(form):
            # A robot: nothing is kept, and it learns nothing.
            return redirect("portal:appointments")
        slot = _slot_of(slots, form.cleaned_data["time"])
        if PUBLIC_BOOKING_LIMIT.exceeded(request):
            form.add_error(
                None, _("Too many bookings from your connection. Please try again in an hour.")
            )
            status = 429
        elif slot is not None:
            try:
                booking, secret = book_slot(
                    service_at_location=sal, start=slot.start, now=now, **form.contact()
                )
            except SlotFull:
                form.add_error(None, _("This time was just taken. Please choose another."))
                free = [slot for slot in day_slots() if slot.remaining > 0]
                form.offer_times(_times(free, zone))
                status = 409
            except BookingRefused as error:
                _refuse(form, error)
                if error.code == "slot":
                    free = [slot for slot in day_slots() if slot.remaining > 0]
                    form.offer_times(_times(free, zone))
                status = 400
            else:
                PUBLIC_BOOKING_LIMIT.count(request)
                messages.success(request, _("Your appointment is booked."))
                return redirect("portal:appointment_manage", booking.reference, secret)
    if form.is_bound and form.has_error("time"):
        form.offer_times(_times(free, zone))
    context = _place_context(sal, language) | {
        "form": form,
        "day": chosen,
        "day_label": _day_label(chosen),
        "time_label": dict(_times(slots, zone)).get(form["time"].value() or "", ""),
        "choosing_time": not form.fields["time"].widget.is_hidden,
        "notice": notice,
        "full": bool(slots) and not free,
    }
    return render(request, "portal/appointments/book.html", context, status=status)


@private()
def appointment_waiting_list(request: HttpRequest, sal_id: UUID, day: str) -> HttpResponse:
    """Join the waiting list of a day: the first person waiting is offered the next place that
    frees, by message."""
    sal, bookable = _place(sal_id)
    chosen = _day(day)
    now = timezone.now()
    if chosen not in Period.of(bookable, ZoneInfo(sal.location.time_zone), now):
        raise Http404
    language = _language()
    form = ContactForm(request.POST or None, language=language)
    status = 200
    if request.method == "POST" and form.is_valid():
        if filled_by_robot(form):
            return redirect("portal:appointments")
        if PUBLIC_BOOKING_LIMIT.exceeded(request):
            form.add_error(
                None, _("Too many bookings from your connection. Please try again in an hour.")
            )
            status = 429
        else:
            try:
                join_waiting_list(service_at_location=sal, day=chosen, now=now, **form.contact())
            except BookingRefused as error:
                _refuse(form, error)
                status = 400
            else:
                PUBLIC_BOOKING_LIMIT.count(request)
                request.session[WAITING_KEY] = {"sal": str(sal.pk), "day": chosen.isoformat()}
                return redirect("portal:appointment_waiting_joined")
    context = _place_context(sal, language) | {
        "form": form,
        "day": chosen,
        "day_label": _day_label(chosen),
    }
    return render(request, "portal/appointments/waiting_list.html", context, status=status)


@private()
def appointment_waiting_joined(request: HttpRequest) -> HttpResponse:
    """The waiting list joined from this device: for which day, and what happens next."""
    joined = request.session.get(WAITING_KEY)
    context: dict[str, Any] = {"joined": False}
    if isinstance(joined, dict):
        sal = _bookable_places().filter(pk=str(joined["sal"])).first()
        if sal is not None:
            day = date.fromisoformat(joined["day"])
            context = _place_context(sal, _language()) | {
                "joined": True,
                "day_label": _day_label(day),
            }
    return render(request, "portal/appointments/waiting_joined.html", context)


# --- The appointment's own pages ---------------------------------------------------------------


def _manage_url(booking: Booking, secret: str) -> str:
    return reverse("portal:appointment_manage", args=[booking.reference, secret])


def _change_refusal(booking: Booking, now: datetime) -> str:
    """Why the person cannot move or cancel the appointment through the link ("" when they
    can); the domain checks again."""
    if booking.status not in ACTIVE:
        return _("This appointment can no longer be changed.")
    if now > cancel_deadline(booking):
        return _(
            "It is too late to change this appointment on line. Please call the service to "
            "change it."
        )
    return ""


def _booking_context(
    request: HttpRequest, booking: Booking, secret: str, now: datetime
) -> dict[str, Any]:
    sal = booking.bookable.service_at_location
    return _place_context(sal, _language()) | {
        "booking": booking,
        "zone": sal.location.time_zone,
        "times": f"{local_time(booking.starts_at, sal.location.time_zone)}–"
        f"{local_time(booking.ends_at, sal.location.time_zone)}",
        "deadline": cancel_deadline(booking),
        "refusal": _change_refusal(booking, now),
        "is_booked": booking.status == BookingStatus.BOOKED,
        "is_offered": booking.status == BookingStatus.OFFERED,
        "is_cancelled": booking.status in (BookingStatus.CANCELLED, BookingStatus.LAPSED),
        "link": request.build_absolute_uri(_manage_url(booking, secret)),
        "manage_url": _manage_url(booking, secret),
        "secret": secret,
    }


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def appointment_manage(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """The appointment: what, where, when on the location's clock, the link to keep, the
    calendar file, and moving, cancelling or accepting an offered place."""
    booking = _booking_for_link(reference, secret)
    context = _booking_context(request, booking, secret, timezone.now())
    return render(request, "portal/appointments/manage.html", context)


@private(referrer_policy="no-referrer")
def appointment_ics(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """The appointment as an iCalendar file to add to a phone's calendar."""
    booking = _booking_for_link(reference, secret)
    response = HttpResponse(booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{booking.reference}.ics"'
    return response


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def appointment_move(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """Choose another day (``?day=``), then another free time of it."""
    booking = _booking_for_link(reference, secret)
    now = timezone.now()
    context = _booking_context(request, booking, secret, now)
    if context["refusal"] or not context["is_booked"]:
        return render(request, "portal/appointments/move.html", context)
    sal, bookable = booking.bookable.service_at_location, booking.bookable
    zone = ZoneInfo(sal.location.time_zone)
    day_text = request.POST.get("day", "") or request.GET.get("day", "")
    if not day_text:
        context |= _day_rows(
            bookable,
            zone,
            request.GET.get("from", ""),
            now,
            lambda day: f"{request.path}?day={day.isoformat()}",
        )
        return render(request, "portal/appointments/move.html", context)
    chosen = _day(day_text)
    slots = [
        slot
        for slot in slots_between(bookable, start_date=chosen, end_date=chosen, now=now)
        if slot.remaining > 0 and slot.start != booking.starts_at
    ]
    form = TimeForm(request.POST or None, times=_times(slots, sal.location.time_zone))
    status = 200
    if request.method == "POST" and form.is_valid():
        slot = _slot_of(slots, form.cleaned_data["time"])
        if slot is None:  # not one of the form's choices: cannot happen once it is valid
            raise Http404
        try:
            move_booking(booking=booking, start=slot.start, secret=secret, now=now)
        except PermissionDenied:
            raise Http404 from None
        except BookingRefused as error:
            form.add_error(None, error.messages)
            status = 409
        else:
            messages.success(request, _("Your appointment was moved."))
            return redirect(_manage_url(booking, secret))
    context |= {
        "form": form,
        "day": chosen,
        "day_label": _day_label(chosen),
        "has_times": bool(slots),
    }
    return render(request, "portal/appointments/move.html", context, status=status)


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def appointment_cancel(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """Ask, then cancel: the place goes to the first person on the day's waiting list."""
    booking = _booking_for_link(reference, secret)
    now = timezone.now()
    context = _booking_context(request, booking, secret, now)
    status = 200
    if request.method == "POST" and not context["refusal"]:
        try:
            cancel_booking(booking=booking, secret=secret, now=now)
        except PermissionDenied:
            raise Http404 from None
        except BookingRefused as error:
            context["refusal"] = " ".join(error.messages)
            status = 409
        else:
            messages.success(request, _("Your appointment is cancelled."))
            return redirect(_manage_url(booking, secret))
    elif request.method == "POST":
        status = 409
    return render(request, "portal/appointments/cancel.html", context, status=status)


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def appointment_accept(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """Accept the place offered from the waiting list (a POST from the appointment's page)."""
    booking = _booking_for_link(reference, secret)
    if request.method == "POST":
        try:
            accept_offer(booking=booking, secret=secret, now=timezone.now())
        except PermissionDenied:
            raise Http404 from None
        except BookingRefused as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("You accepted the place. Your appointment is booked."))
    return redirect(_manage_url(booking, secret))

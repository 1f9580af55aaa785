"""Appointments in the back office: a unit's day sheet, one booking with what can be done to it
(check in, no-show, cancel or move with a reason the person is told, open or join a case), and
booking on behalf of a caller. Thin views over ``appointments.domain``; every booking is
fetched and authorised in one call (``get_booking_for_user``: 404 outside the user's units)."""

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import Unit
from coop4int.accounts.models import User as Staff
from coop4int.accounts.roles import Permission
from coop4int.appointments.domain import booking as booking_domain
from coop4int.appointments.domain.booking_cases import (
    book_from_case,
    link_booking_to_case,
    open_case_for_booking,
)
from coop4int.appointments.domain.queries import (
    bookables_for_user,
    booking_history,
    day_sheet,
    day_sheet_units,
    get_booking_for_user,
)
from coop4int.appointments.domain.slots import free_slots
from coop4int.appointments.enums import ACTIVE, BookingStatus
from coop4int.appointments.models import BookableService, Booking, Ticket, WaitingListEntry
from coop4int.backoffice.appointment_forms import (
    BookForm,
    BookingButtonForm,
    CancelForm,
    ChooseDayForm,
    DaySheetForm,
    JoinCaseForm,
    MoveForm,
    OpenCaseForm,
    WaitForm,
    day_sheet_address,
)
from coop4int.backoffice.case_views import hand_over_tracking_link
from coop4int.backoffice.page_actions import Acting, Action, ActionPage, ActionTable, Done
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.queries import cases_for_user, get_case_for_user
from coop4int.cases.models import Case
from coop4int.core.formatting import current_locale, format_date, format_datetime
from coop4int.core.languages import UnknownLanguage, get_language
from coop4int.core.models import AuditEntry
from coop4int.people.domain.queries import PersonMergedAway, get_person_for_user
from coop4int.people.enums import ContactKind
from coop4int.people.models import Person
from coop4int.people.scope import person_in_scope

# --- Writing times and languages ---------------------------------------------------------------


def clock(value: datetime, zone: str) -> str:
    """A time of day as the reader's language writes it, in ``zone`` (the location's)."""
    return babel_dates.format_time(
        value, format="short", tzinfo=ZoneInfo(zone), locale=current_locale()
    )


def when(booking: Booking) -> str:
    """ "16/01/2026, 09:00–09:30": the booking's day and times at its location."""
    zone = booking.bookable.service_at_location.location.time_zone
    day = booking.starts_at.astimezone(ZoneInfo(zone)).date()
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": format_date(day, "short"),
        "start": clock(booking.starts_at, zone),
        "end": clock(booking.ends_at, zone),
    }


def zone_of(bookable: BookableService) -> str:
    return bookable.service_at_location.location.time_zone


def language_name(code: str) -> str:
    try:
        return get_language(code).native_name
    except UnknownLanguage:
        return code


def shown_name(contact: Booking | WaitingListEntry, people_shown: AbstractSet[UUID]) -> str:
    """The name of the linked record when the reader may open it, else the name given."""
    if contact.person is not None and contact.person_id in people_shown:
        return contact.person.display_name
    return contact.name


def _may_check_in(booking: Booking) -> bool:
    return booking.status in (BookingStatus.BOOKED, BookingStatus.NO_SHOW)


def _may_mark_no_show(booking: Booking, now: datetime) -> bool:
    return booking.status == BookingStatus.BOOKED and now >= booking.starts_at


def _may_cancel(booking: Booking) -> bool:
    return booking.status in ACTIVE


def _may_move(booking: Booking) -> bool:
    return booking.status == BookingStatus.BOOKED


def day_sheet_url(unit: Unit | None, day: date) -> str:
    query = {"day": day.isoformat()} | ({"unit": unit.slug} if unit is not None else {})
    return f"{reverse('backoffice:appointment_day')}?{urlencode(query)}"


# --- The day sheet -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One booking of the day sheet, ready to print."""

    booking: Booking
    time: str
    name: str
    person_id: UUID | None
    language: str
    check_in: bool
    no_show: bool
    cancel: bool
    move: bool


@dataclass(frozen=True, slots=True)
class WaitingRow:
    entry: WaitingListEntry
    name: str
    person_id: UUID | None
    language: str
    since: str


@dataclass(frozen=True, slots=True)
class ServiceSection:
    bookable: BookableService
    rows: list[SheetRow]
    waiting: list[WaitingRow]


class DaySheetView(StaffView):
    """A unit's appointments of one day, per bookable service and time, with the waiting
    list; today at the officer's unit unless another day (or, for nationwide staff, another
    unit) is chosen. The buttons post to the booking's page and come back here."""

    permission = Permission.WORK_CASES

    def get(self, request: HttpRequest) -> HttpResponse:
        units = day_sheet_units(self.user)
        form = DaySheetForm(request.GET or None, units=units)
        if not self.user.is_nationwide:
            del form.fields["unit"]  # their own unit's only
        chosen_day: date | None = None
        unit: Unit | None = None
        if form.is_valid():
            chosen_day = form.cleaned_data["day"]
            unit = form.cleaned_data.get("unit")
        if unit is None:
            unit = next((u for u in units if u.pk == self.user.unit_id), None) or units.first()
        context: dict[str, Any] = {"form": form, "unit": unit, "units": units}
        if unit is None:
            return render(request, "backoffice/appointments/day.html", context)
        now = timezone.now()
        sheet = day_sheet(self.user, unit, chosen_day, now=now)
        form.initial.update({"day": sheet.day, "unit": unit.slug})
        back = f"{request.path}?{urlencode({'day': sheet.day.isoformat(), 'unit': unit.slug})}"
        sections = [
            ServiceSection(
                bookable=service.bookable,
                rows=[
                    SheetRow(
                        booking=b,
                        time=clock(
                            b.starts_at, service.bookable.service_at_location.location.time_zone
                        ),
                        name=shown_name(b, sheet.people_shown),
                        person_id=b.person_id if b.person_id in sheet.people_shown else None,
                        language=language_name(b.language),
                        check_in=_may_check_in(b),
                        no_show=_may_mark_no_show(b, now),
                        cancel=_may_cancel(b),
                        move=_may_move(b),
                    )
                    for b in service.bookings
                ],
                waiting=[
                    WaitingRow(
                        entry=w,
                        name=shown_name(w, sheet.people_shown),
                        person_id=w.person_id if w.person_id in sheet.people_shown else None,
                        language=language_name(w.language),
                        since=format_datetime(
                            w.created_at,
                            "short",
                            tz=zone_of(service.bookable),
                        ),
                    )
                    for w in service.waiting
                ],
            )
            for service in sheet.services
        ]
        counts = [
            (status.label, sheet.counts[status.value])
            for status in BookingStatus
            if sheet.counts.get(status.value)
        ]
        return render(
            request,
            "backoffice/appointments/day.html",
            context
            | {
                "sheet": sheet,
                "day_label": format_date(sheet.day, "full"),
                "sections": sections,
                "counts": counts,
                "no_shows": sheet.counts.get(BookingStatus.NO_SHOW.value, 0),
                "back": back,
                "previous": day_sheet_url(unit, sheet.day - timedelta(days=1)),
                "next": day_sheet_url(unit, sheet.day + timedelta(days=1)),
                "cancel_form": CancelForm(),
                "nationwide": self.user.is_nationwide,
            },
        )


# --- One booking -------------------------------------------------------------------------------


def _check_in(act: Acting[Booking]) -> str:
    ticket, _secret = booking_domain.check_in(booking=act.obj, actor=act.actor, now=timezone.now())
    return _("Appointment %(reference)s: checked in, ticket %(number)s.") % {
        "reference": act.obj.reference,
        "number": getattr(ticket, "number", ""),
    }


def _no_show(act: Acting[Booking]) -> str:
    booking_domain.mark_no_show(booking=act.obj, actor=act.actor, now=timezone.now())
    return _("Appointment %(reference)s: recorded that the person did not come.") % {
        "reference": act.obj.reference
    }


def _cancel(act: Acting[Booking]) -> str:
    booking_domain.cancel_booking(
        booking=act.obj, actor=act.actor, reason=act.data["reason"], now=timezone.now()
    )
    return _("Appointment %(reference)s was cancelled; the person is told why.") % {
        "reference": act.obj.reference
    }


def _move(act: Acting[Booking]) -> str:
    moved = booking_domain.move_booking(
        booking=act.obj, start=act.data["start"], actor=act.actor,
        reason=act.data["reason"], now=timezone.now(),
    )  # fmt: skip
    return _("Appointment %(reference)s was moved to %(when)s.") % {
        "reference": moved.reference,
        "when": when(moved),
    }


def _open_case(act: Acting[Booking]) -> Done:
    case, secret = open_case_for_booking(
        booking=act.obj, actor=act.actor, subject=act.data["subject"],
        body=act.data["body"], now=timezone.now(),
    )  # fmt: skip
    hand_over_tracking_link(act.request, case, secret)
    return Done(
        _("Case %(reference)s was opened from the appointment.") % {"reference": case.reference},
        to=reverse("backoffice:case_detail", kwargs={"reference": case.reference}),
    )


def _join_case(act: Acting[Booking]) -> str:
    case = act.data["case"]
    link_booking_to_case(booking=act.obj, case=case, actor=act.actor, now=timezone.now())
    return _("The appointment is now on case %(reference)s.") % {"reference": case.reference}


def person_cases(user: Staff, booking: Booking) -> Any:
    """The cases the booking may join: those of its person that ``user`` may open."""
    if booking.person is None or not person_in_scope(user, booking.person):
        return Case.objects.none()
    return cases_for_user(user).filter(person=booking.person).order_by("-opened_at")


def _history_text(entry: AuditEntry, zone: str) -> str:
    data = entry.data or {}

    def at(key: str) -> str:
        try:
            return format_datetime(datetime.fromisoformat(str(data.get(key))), "short", tz=zone)
        except ValueError:
            return ""

    def status(code: object) -> str:
        try:
            return str(BookingStatus(str(code)).label)
        except ValueError:
            return str(code)

    action = entry.action
    if action == "appointments.booking.booked":
        if data.get("by_staff"):
            return _("Booked by staff for %(when)s.") % {"when": at("starts_at")}
        return _("Booked by the person for %(when)s.") % {"when": at("starts_at")}
    if action == "appointments.booking.offered":
        return _("Offered from the waiting list, to accept by %(when)s.") % {
            "when": at("expires_at")
        }
    if action == "appointments.booking.moved":
        return _("Moved from %(before)s to %(after)s.") % {"before": at("from"), "after": at("to")}
    if action == "appointments.booking.status_changed":
        return _("From “%(before)s” to “%(after)s”.") % {
            "before": status(data.get("from")),
            "after": status(data.get("to")),
        }
    if action == "appointments.booking.case_linked":
        if data.get("opened"):
            return _("Case %(reference)s was opened from it.") % {"reference": data.get("case")}
        return _("Put on case %(reference)s.") % {"reference": data.get("case")}
    return action


class BookingView(ActionPage[Booking], StaffView):
    """A booking: details, status and its history, the linked person and case; check in,
    no-show, cancel or move with a reason, open a case or join one of the person's."""

    permission = Permission.WORK_CASES
    actions = ActionTable[Booking](
        Action("check_in", BookingButtonForm, _check_in, "status", shows_form=False),
        Action("no_show", BookingButtonForm, _no_show, "status", shows_form=False),
        Action("cancel", CancelForm, _cancel, "status"),
        Action("move", MoveForm, _move, "move",
               options=lambda page, booking: {"slots": page.move_slots(booking)}),
        Action("open_case", OpenCaseForm, _open_case, "case", leaves=True),
        Action("join_case", JoinCaseForm, _join_case, "case",
               options=lambda page, booking: {"cases": person_cases(page.user, booking)}),
    )  # fmt: skip

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Booking:
        return get_booking_for_user(self.user, kwargs["reference"], reading=False)

    def page_url(self, obj: Booking) -> str:
        return reverse("backoffice:appointment_detail", kwargs={"reference": obj.reference})

    def back_to(self, obj: Booking, action: Action[Booking]) -> HttpResponse:
        """Back to the day sheet when the button was pressed there."""
        back = day_sheet_address(self.request.POST.get("back", ""))
        if back:
            return redirect(back)
        return super().back_to(obj, action)

    def _zone(self, booking: Booking) -> str:
        return booking.bookable.service_at_location.location.time_zone

    def _move_day(self, booking: Booking) -> date:
        for value in (self.request.POST.get("day", ""), self.request.GET.get("move_day", "")):
            try:
                return date.fromisoformat(value)
            except ValueError:
                continue
        return booking.starts_at.astimezone(ZoneInfo(self._zone(booking))).date()

    def move_slots(self, booking: Booking) -> list[tuple[str, str]]:
        """The free times of the booking's service on the day chosen to move to."""
        day = self._move_day(booking)
        zone = self._zone(booking)
        return [
            (slot.start.isoformat(), clock(slot.start, zone))
            for slot in free_slots(
                service_at_location=booking.bookable.service_at_location,
                start_date=day,
                end_date=day,
                now=timezone.now(),
            )
            if slot.start != booking.starts_at
        ]

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        booking = get_booking_for_user(self.user, reference)
        return self.render_page(request, booking, {})

    def render_page(
        self, request: HttpRequest, obj: Booking, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        booking = obj
        now = timezone.now()
        zone = self._zone(booking)
        sal = booking.bookable.service_at_location
        person = (
            booking.person
            if booking.person is not None and person_in_scope(self.user, booking.person)
            else None
        )
        case = (
            booking.case
            if booking.case is not None
            and cases_for_user(self.user).filter(pk=booking.case.pk).exists()
            else None
        )
        move_day = self._move_day(booking)
        history = [
            (format_datetime(entry.created_at, "short", tz=zone), entry, _history_text(entry, zone))
            for entry in booking_history(booking)
        ]
        context = {
            "booking": booking,
            "service": sal.service,
            "location": sal.location,
            "when": when(booking),
            "language": language_name(booking.language),
            "person": person,
            "linked_elsewhere": booking.person_id is not None and person is None,
            "case": case,
            "ticket": Ticket.objects.filter(booking=booking).first(),
            "history": history,
            "may": {
                "check_in": _may_check_in(booking),
                "no_show": _may_mark_no_show(booking, now),
                "cancel": _may_cancel(booking),
                "move": _may_move(booking),
                "case": booking.case_id is None,
            },
            "move_day": move_day.isoformat(),
            "cancel_form": bound.get("cancel") or CancelForm(),
            "move_form": bound.get("move")
            or MoveForm(initial={"day": move_day}, slots=self.move_slots(booking)),
            "open_case_form": bound.get("open_case")
            or OpenCaseForm(initial={"subject": sal.service.name}),
            "join_case_form": bound.get("join_case")
            or JoinCaseForm(cases=person_cases(self.user, booking)),
            "day_sheet": day_sheet_url(
                sal.service.unit, booking.starts_at.astimezone(ZoneInfo(zone)).date()
            ),
        } | self.section_context(request, booking)
        return render(request, "backoffice/appointments/booking.html", context)


# --- Booking on behalf of a caller ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Caller:
    """Whom the officer books for: a person's record or a case they came from (or nobody)."""

    person: Person | None
    case: Case | None

    def query(self) -> str:
        if self.case is not None:
            return urlencode({"case": self.case.reference})
        if self.person is not None:
            return urlencode({"person": str(self.person.pk)})
        return ""


def prefilled(user: Staff, caller: Caller) -> dict[str, Any]:
    """The caller's name, phone, e-mail and language, from the record when ``user`` may reach
    it, else from the case's reply address."""
    person = caller.person or (caller.case.person if caller.case else None)
    if person is not None and person_in_scope(user, person) and not person.is_erased:
        contacts = list(person.contacts.all())
        return {
            "name": person.display_name,
            "phone": next((c.value for c in contacts if c.kind == ContactKind.PHONE), ""),
            "email": next((c.value for c in contacts if c.kind == ContactKind.EMAIL), ""),
            "language": person.preferred_language,
        }
    if caller.case is not None:
        return {
            "phone": caller.case.reply_phone,
            "email": caller.case.reply_email,
            "language": caller.case.language,
        }
    return {}


def _contact(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "phone": data["phone"],
        "email": data["email"],
        "language": data["language"],
        "interpreter_needed": data["interpreter_needed"],
        "accessibility_needs": data["accessibility_needs"],
        "notify_by": data["notify_by"],
    }


def _book(act: Acting[Caller]) -> Done:
    sal = act.data["service"].service_at_location
    now = timezone.now()
    if act.obj.case is not None:
        booking, _secret = book_from_case(
            case=act.obj.case, actor=act.actor, service_at_location=sal,
            start=act.data["start"], now=now, **_contact(act.data),
        )  # fmt: skip
    else:
        booking, _secret = booking_domain.book_slot(
            service_at_location=sal, start=act.data["start"], actor=act.actor,
            person=act.obj.person, now=now, **_contact(act.data),
        )  # fmt: skip
    return Done(
        _("Appointment %(reference)s was booked for %(when)s.")
        % {"reference": booking.reference, "when": when(booking)},
        to=reverse("backoffice:appointment_detail", kwargs={"reference": booking.reference}),
    )


def _wait(act: Acting[Caller]) -> Done:
    bookable = act.data["service"]
    person = act.obj.person or (act.obj.case.person if act.obj.case else None)
    booking_domain.join_waiting_list(
        service_at_location=bookable.service_at_location, day=act.data["day"],
        actor=act.actor, person=person, now=timezone.now(), **_contact(act.data),
    )  # fmt: skip
    return Done(
        _("%(name)s is on the waiting list of %(day)s.")
        % {"name": act.data["name"], "day": format_date(act.data["day"], "short")},
        to=day_sheet_url(bookable.service_at_location.service.unit, act.data["day"]),
    )


class NewBookingView(ActionPage[Caller], StaffView):
    """Book for a caller: a service at a place of the unit, a day, a free time, and the
    contact — prefilled from the person's record or the case when the officer may reach
    it. A full time or day offers the waiting list instead."""

    permission = Permission.WORK_CASES
    actions = ActionTable[Caller](
        Action("book", BookForm, _book, "book", leaves=True,
               options=lambda page, caller: page.form_options()),
        Action("wait", WaitForm, _wait, "book", form_key="book", leaves=True,
               options=lambda page, caller: page.form_options()),
        default="book",
    )  # fmt: skip

    def action_object(self, request: HttpRequest, **kwargs: Any) -> Caller | HttpResponse:
        case: Case | None = None
        person: Person | None = None
        if request.GET.get("case"):
            case = get_case_for_user(self.user, request.GET["case"])
            person = (
                case.person if case.person and person_in_scope(self.user, case.person) else None
            )
        elif request.GET.get("person"):
            try:
                person = get_person_for_user(self.user, UUID(request.GET["person"]))
            except ValueError as error:
                raise Http404 from error
            except PersonMergedAway as moved:
                query = urlencode({"person": str(moved.kept_id)})
                return redirect(f"{reverse('backoffice:appointment_new')}?{query}")
        return Caller(person=person, case=case)

    def page_url(self, obj: Caller) -> str:
        query = obj.query()
        return reverse("backoffice:appointment_new") + (f"?{query}" if query else "")

    def _choice(self, data: Mapping[str, Any]) -> tuple[BookableService, date] | None:
        """The service and day posted or asked for, when valid."""
        form = ChooseDayForm(
            {"service": data.get("service", ""), "day": data.get("day", "")},
            bookables=bookables_for_user(self.user),
        )
        if not form.is_valid():
            return None
        return form.cleaned_data["service"], form.cleaned_data["day"]

    def _slots(self, bookable: BookableService, day: date) -> list[tuple[str, str]]:
        zone = bookable.service_at_location.location.time_zone
        return [
            (slot.start.isoformat(), clock(slot.start, zone))
            for slot in free_slots(
                service_at_location=bookable.service_at_location,
                start_date=day,
                end_date=day,
                now=timezone.now(),
            )
        ]

    def form_options(self) -> dict[str, Any]:
        choice = self._choice(self.request.POST)
        return {
            "bookables": bookables_for_user(self.user),
            "slots": self._slots(*choice) if choice else [],
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        caller = self.action_object(request)
        if isinstance(caller, HttpResponse):
            return caller
        return self.render_page(request, caller, {})

    def render_page(
        self, request: HttpRequest, obj: Caller, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        bookables = bookables_for_user(self.user)
        form = bound.get("book")
        source = request.POST if form is not None else request.GET
        choice = self._choice(source)
        zone = self.user.unit.time_zone if self.user.unit else settings.TIME_ZONE
        today = timezone.now().astimezone(ZoneInfo(zone)).date()
        choose_form = ChooseDayForm(
            request.GET if "service" in request.GET else None,
            bookables=bookables,
            initial={"day": today},
        )
        slots: list[tuple[str, str]] = []
        if choice is not None:
            bookable, day = choice
            slots = self._slots(bookable, day)
            if form is None:
                # A day without a free time offers only the waiting list: no time to choose.
                form = (BookForm if slots else WaitForm)(
                    initial=prefilled(self.user, obj)
                    | {"service": bookable.pk, "day": day.isoformat()},
                    bookables=bookables,
                    slots=slots,
                )
        full = form is not None and (
            form.has_error(NON_FIELD_ERRORS, "full") or form.has_error("start", "invalid_choice")
        )
        context = {
            "caller": obj,
            "person_shown": obj.person,
            "choose_form": choose_form,
            "form": form,
            "choice": choice,
            "choice_label": self._choice_label(choice),
            "slots": slots,
            "offer_waiting": choice is not None and (full or not slots),
            "query": obj.query(),
        } | self.section_context(request, obj)
        return render(request, "backoffice/appointments/new.html", context)

    @staticmethod
    def _choice_label(choice: tuple[BookableService, date] | None) -> str:
        if choice is None:
            return ""
        bookable, day = choice
        sal = bookable.service_at_location
        return _("%(service)s at %(place)s, %(day)s") % {
            "service": sal.service.name,
            "place": sal.location.name,
            "day": format_date(day, "full"),
        }

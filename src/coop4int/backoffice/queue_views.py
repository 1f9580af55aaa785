"""The waiting room in the back office: reception takes walk-in tickets (printed on an 80 mm
receipt printer from the browser, or sent by SMS), and an officer's desk calls the next ticket,
calls again, serves, records the outcome or transfers. Thin views over
``appointments.domain.queue``; a place or a ticket outside the officer's unit answers 404.

The desk's set-up (place, desk name, services) travels in the address (GET) and in the hidden
fields of its buttons, so a desk can be bookmarked and nothing is kept between requests."""

import hmac
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.accounts.roles import Permission
from coop4int.appointments.calendar_file import service_name
from coop4int.appointments.domain import queue, queue_queries
from coop4int.appointments.enums import TicketStatus
from coop4int.appointments.models import Ticket
from coop4int.backoffice.queue_forms import DeskActionForm, DeskForm, LocationForm, TicketForm
from coop4int.backoffice.views import StaffView
from coop4int.cases.domain.references import tracking_digest
from coop4int.core.formatting import format_datetime
from coop4int.directory.models import Location, ServiceAtLocation


def _location_of(user: Any, location_id: str | None) -> Location | None:
    """One of the places the officer works the queue of, by id; None when not theirs."""
    if not location_id:
        return None
    for location in queue.locations_served(user):
        if str(location.pk) == str(location_id):
            return location
    return None


def _first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("Nothing was changed.")


def _service_label(service: ServiceAtLocation) -> str:
    return f"{queue.service_letter(service)} · {service_name(service.service, get_language())}"


class ReceptionView(StaffView):
    """Take a walk-in's ticket: the place (when the unit has several), service, language,
    priority among those the place honours, and a phone to send the ticket's link to."""

    permission = Permission.WORK_CASES
    template = "backoffice/queue/reception.html"

    def _page(
        self, request: HttpRequest, location: Location | None, form: TicketForm | None
    ) -> HttpResponse:
        locations = queue.locations_served(self.user)
        chooser = LocationForm(
            initial={"location": str(location.pk) if location else ""}, locations=locations
        )
        counts: list[tuple[str, int]] = []
        if location is not None:
            waiting = queue_queries.waiting_counts(location, now=timezone.now())
            counts = [
                (_service_label(service), waiting.get(service.pk, 0))
                for service in queue.services_served(self.user, location)
            ]
        return render(
            request,
            self.template,
            {
                "locations": locations,
                "location": location,
                "chooser": chooser,
                "form": form,
                "counts": counts,
            },
            status=400 if form is not None and form.errors else 200,
        )

    def _ticket_form(self, location: Location, data: QueryDict | None = None) -> TicketForm:
        settings = queue_queries.queue_settings_for(location)
        return TicketForm(
            data,
            services=queue.services_served(self.user, location),
            priorities=list(settings.priority_reasons or []),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        locations = queue.locations_served(self.user)
        wanted = request.GET.get("location")
        location = _location_of(self.user, wanted)
        if wanted and location is None:
            raise Http404
        if location is None and len(locations) == 1:
            location = locations[0]
        form = self._ticket_form(location) if location is not None else None
        return self._page(request, location, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        location = _location_of(self.user, request.POST.get("location"))
        if location is None:
            raise Http404
        form = self._ticket_form(location, request.POST)
        if not form.is_valid():
            return self._page(request, location, form)
        service = ServiceAtLocation.objects.select_related("service", "location").get(
            pk=form.cleaned_data["service"], location=location
        )
        try:
            ticket, secret = queue.take_ticket(
                service_at_location=service,
                language=form.cleaned_data["language"],
                priority=form.cleaned_data["priority"],
                phone=form.cleaned_data["phone"],
                notify_when_near=form.cleaned_data["notify_when_near"],
                actor=self.user,
                now=timezone.now(),
            )
        except ValidationError as error:
            form.add_error(None, _first_error(error))
            return self._page(request, location, form)
        if ticket.phone:
            messages.success(
                request,
                _("Ticket %(number)s taken; its link is sent by SMS.") % {"number": ticket.number},
            )
        else:
            messages.success(request, _("Ticket %(number)s taken.") % {"number": ticket.number})
        return redirect("backoffice:queue_ticket_print", ticket_id=ticket.pk, secret=secret)


class TicketView(StaffView):
    """A ticket: its number, service, times and life. Opened with its secret (right after it
    was taken) it is the printable receipt with the QR code of the person's page, and the link
    can be sent by SMS."""

    permission = Permission.WORK_CASES

    def _ticket(self, ticket_id: int, secret: str | None) -> Ticket:
        ticket = queue_queries.get_ticket_for_user(self.user, ticket_id)
        if ticket is None:
            raise Http404
        if secret is not None and not hmac.compare_digest(
            ticket.secret_digest, tracking_digest(secret)
        ):
            raise Http404
        return ticket

    def get(self, request: HttpRequest, ticket_id: int, secret: str | None = None) -> HttpResponse:
        ticket = self._ticket(ticket_id, secret)
        return self._page(request, ticket, secret, phone="", error="")

    def _page(
        self, request: HttpRequest, ticket: Ticket, secret: str | None, *, phone: str, error: str
    ) -> HttpResponse:
        now = timezone.now()
        zone = ticket.location.time_zone
        public_url = queue.ticket_url(ticket, secret) if secret else ""
        events = [
            (event.get_kind_display(), format_datetime(event.at, "short", tz=zone), event.desk)
            for event in ticket.events.all()
        ]
        return render(
            request,
            "backoffice/queue/ticket.html",
            {
                "ticket": ticket,
                "secret": secret,
                "public_url": public_url,
                "service": service_name(ticket.service_at_location.service, get_language()),
                "taken_at": format_datetime(ticket.created_at, "short", tz=zone),
                "position": queue_queries.position_of(ticket, now=now),
                "estimate": queue_queries.estimated_wait_minutes(ticket, now=now),
                "events": events,
                "phone": phone,
                "error": error,
                "reception": reverse("backoffice:queue_reception")
                + "?"
                + urlencode({"location": str(ticket.location_id)}),
            },
            status=400 if error else 200,
        )

    def post(self, request: HttpRequest, ticket_id: int, secret: str | None = None) -> HttpResponse:
        """Send the ticket's link by SMS (only with the secret, which the page holds)."""
        if secret is None:
            raise Http404
        ticket = self._ticket(ticket_id, secret)
        phone = request.POST.get("phone", "")[:40]
        try:
            queue.send_ticket_link(ticket=ticket, secret=secret, phone=phone, actor=self.user)
        except ValidationError as error:
            return self._page(request, ticket, secret, phone=phone, error=_first_error(error))
        messages.success(request, _("The ticket's link is sent by SMS."))
        return redirect("backoffice:queue_ticket_print", ticket_id=ticket.pk, secret=secret)


def desk_address(location: Location, desk: str, service_ids: list[str]) -> str:
    query = urlencode(
        [("location", str(location.pk)), ("desk", desk)]
        + [("services", service_id) for service_id in service_ids]
    )
    return reverse("backoffice:queue_desk") + "?" + query


class DeskView(StaffView):
    """An officer's desk: set up with the place, the desk's name and the services it calls;
    shows who waits for each and the ticket at the desk, with its buttons."""

    permission = Permission.WORK_CASES
    template = "backoffice/queue/desk.html"

    def _desk_form(self, data: QueryDict | None) -> tuple[DeskForm, Location | None]:
        locations = queue.locations_served(self.user)
        location = None
        if data is not None:
            location = _location_of(self.user, data.get("location"))
            if data.get("location") and location is None:
                raise Http404
        if location is None and len(locations) == 1:
            location = locations[0]
        services = queue.services_served(self.user, location) if location else []
        form = DeskForm(
            data if data else None,
            initial={"location": str(location.pk) if location else ""},
            locations=locations,
            services=services,
        )
        return form, location

    def get(self, request: HttpRequest) -> HttpResponse:
        form, location = self._desk_form(request.GET if request.GET else None)
        context: dict[str, Any] = {"form": form, "location": location, "ready": False}
        if location is not None and request.GET and form.is_valid():
            context |= self._desk(location, form)
        return render(request, self.template, context, status=400 if form.errors else 200)

    def _desk(self, location: Location, form: DeskForm) -> dict[str, Any]:
        now = timezone.now()
        desk = form.cleaned_data["desk"]
        chosen = set(form.cleaned_data["services"])
        services = [
            service
            for service in queue.services_served(self.user, location)
            if str(service.pk) in chosen
        ]
        counts = queue_queries.waiting_counts(location, now=now)
        order = queue_queries.calling_order(location, now=now, service_ids=list(chosen))
        current = queue_queries.at_desk(location, desk, now=now)
        others = [
            (str(service.pk), _service_label(service))
            for service in queue.services_served(self.user, location)
        ]
        zone = location.time_zone
        return {
            "ready": True,
            "desk": desk,
            "service_ids": sorted(chosen),
            "waiting": [
                (_service_label(service), counts.get(service.pk, 0)) for service in services
            ],
            "total_waiting": len(order),
            "next_numbers": [ticket.number for ticket in order[:8]],
            "current": [
                {
                    "ticket": ticket,
                    "service": _service_label(ticket.service_at_location),
                    "called_at": format_datetime(ticket.called_at, "short", tz=zone)
                    if ticket.called_at
                    else "",
                    "serving": ticket.status == TicketStatus.SERVING,
                    "transfer_to": [
                        (pk, label)
                        for pk, label in others
                        if pk != str(ticket.service_at_location_id)
                    ],
                }
                for ticket in current
            ],
            "address": desk_address(location, desk, sorted(chosen)),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        form, location = self._desk_form(request.POST)
        if location is None:
            raise Http404
        if not form.is_valid():
            messages.error(request, _("Set up your desk: the place, its name and the services."))
            return redirect(reverse("backoffice:queue_desk"))
        desk = form.cleaned_data["desk"]
        service_ids = sorted(form.cleaned_data["services"])
        address = desk_address(location, desk, service_ids)
        services = queue.services_served(self.user, location)
        buttons = DeskActionForm(request.POST, services=services)
        if not buttons.is_valid():
            errors = [str(error) for errors in buttons.errors.values() for error in errors]
            messages.error(request, errors[0] if errors else _("Nothing was changed."))
            return redirect(address)
        action = buttons.cleaned_data["action"]
        now = timezone.now()
        try:
            if action == "call_next":
                called = queue.call_next(
                    location=location,
                    service_ids=service_ids,
                    desk=desk,
                    actor=self.user,
                    now=now,
                )
                if called is None:
                    messages.info(request, _("Nobody is waiting for these services."))
                else:
                    messages.success(
                        request,
                        _("Ticket %(number)s is called to desk %(desk)s.")
                        % {"number": called.number, "desk": desk},
                    )
                return redirect(address)
            ticket = queue_queries.get_ticket_for_user(self.user, buttons.cleaned_data["ticket"])
            if ticket is None or ticket.location_id != location.pk:
                raise Http404
            messages.success(request, self._act(action, ticket, buttons, now))
        except ValidationError as error:
            messages.error(request, _first_error(error))
        return redirect(address)

    def _act(self, action: str, ticket: Ticket, buttons: DeskActionForm, now: Any) -> str:
        number = {"number": ticket.number}
        if action == "recall":
            queue.recall(ticket=ticket, actor=self.user, now=now)
            return _("Ticket %(number)s is called again.") % number
        if action == "start":
            queue.start_serving(ticket=ticket, actor=self.user, now=now)
            return _("Serving ticket %(number)s.") % number
        if action == "transfer":
            to = ServiceAtLocation.objects.select_related("service", "location").get(
                pk=buttons.cleaned_data["to"]
            )
            queue.transfer(ticket=ticket, to=to, actor=self.user, now=now)
            return _("Ticket %(number)s now waits for %(service)s.") % {
                "number": ticket.number,
                "service": service_name(to.service, get_language()),
            }
        if action in ("served", "no_show", "left"):
            queue.finish(ticket=ticket, outcome=action, actor=self.user, now=now)
            return {
                "served": _("Ticket %(number)s is served."),
                "no_show": _("Ticket %(number)s did not answer the call."),
                "left": _("Ticket %(number)s left before being served."),
            }[action] % number
        raise Http404

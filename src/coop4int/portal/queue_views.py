"""The waiting room seen from outside the desks: the screen on the waiting room's wall, the page
of a person's ticket, and "waiting now" on a service's public page.

The screen shows ticket numbers and desks only, never a name. It keeps itself current by
polling a small JSON feed every second (``static/portal/queue_display.js``) rather than by
server-sent events: the platform runs on gunicorn's synchronous workers, where an open event
stream would hold a whole worker per screen, while a poll answered ``304 Not Modified`` costs
one indexed query. The feed's version is the time of the location's latest call (and the
day), so a call shows on the next poll — no cache to wait out — and an unchanged feed is
answered without building it. Without JavaScript the page reloads itself every few seconds.
"""

import hashlib
import json
import math
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coop4int.appointments.domain.queue import QueueRefused, ask_to_be_told_when_near
from coop4int.appointments.domain.queue_queries import (
    estimated_wait_minutes,
    location_today,
    position_of,
    queue_settings_for,
    recent_calls,
    ticket_for_link,
    waiting_now_minutes,
)
from coop4int.appointments.enums import TICKET_OPEN, TicketStatus
from coop4int.appointments.models import Ticket
from coop4int.core.languages import REGISTRY, interface_fallback
from coop4int.directory.models import Location, ServiceAtLocation
from coop4int.people.domain.contacts import normalise_phone
from coop4int.portal.abuse import RateLimit
from coop4int.portal.case_views import TRACKING_REFERRER_POLICY, private
from coop4int.portal.presentation import local_time, service_name

# The calls a screen shows: the one being called now and the five before it.
SHOWN_CALLS = 6
# The ticket page reloads itself this often while the ticket is open.
TICKET_REFRESH_SECONDS = 30
# "Waiting now" on a service's page: computed at most this often per service.
WAITING_NOW_SECONDS = 60
# Asking for a text message costs an SMS later: a few per connection.
NEAR_RATE = RateLimit("queue_near", limit=5, window=60 * 60)
# The place in line at which the person is told their turn is near.
NEAR_POSITION = 3

_MISSING = object()


# --- The waiting room's screen ----------------------------------------------------------------


def _display_languages(display_language: str) -> list[str]:
    """Portuguese and the location's second language (as the interface speaks it: a language
    without an interface catalogue is shown in the one its readers are offered instead)."""
    second = interface_fallback(display_language or "en")
    return ["pt"] if second == "pt" else ["pt", second]


def _labels(code: str) -> dict[str, str]:
    """The screen's words in ``code``, each shown with its ``lang``."""
    with translation.override(code):
        return {
            "code": code,
            "dir": REGISTRY[code].direction.value if code in REGISTRY else "ltr",
            "now_calling": _("Now calling"),
            "ticket": _("Ticket"),
            "desk": _("Desk"),
            "previous": _("Previous calls"),
            "none_yet": _("No number has been called yet today."),
            "sound": _("Click here to turn the sound on"),
            "stale": _("Connection lost: the numbers shown may be out of date."),
        }


def _call(ticket: Ticket, zone: ZoneInfo) -> dict[str, str]:
    """One call as the screen shows it: a number and a desk, nothing about the person; the
    time on the location's clock."""
    assert ticket.called_at is not None
    return {
        "number": ticket.number,
        "desk": ticket.desk,
        "called_at": ticket.called_at.astimezone(zone).isoformat(),
        # Changes with every call, a recall included: the screen chimes when it does.
        "key": f"{ticket.pk}@{ticket.called_at.timestamp():.6f}",
    }


def _calls(location: Location, now: datetime) -> list[dict[str, str]]:
    zone = ZoneInfo(location.time_zone)
    return [_call(ticket, zone) for ticket in recent_calls(location, now=now, limit=SHOWN_CALLS)]


def _feed_version(location_id: UUID, today: date, last_call: datetime | None) -> str:
    stamp = last_call.isoformat() if last_call else "-"
    text = f"{location_id}|{today.isoformat()}|{stamp}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _location_with_last_call(location_id: UUID) -> Location | None:
    """The location with the time of its latest call (``last_call``), in one query."""
    latest = (
        Ticket.objects.filter(location=OuterRef("pk"), called_at__isnull=False)
        .order_by("-called_at")
        .values("called_at")[:1]
    )
    return (
        Location.objects.filter(pk=location_id)
        .only("pk", "name", "time_zone")
        .annotate(last_call=Subquery(latest))
        .first()
    )


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    asked = request.headers.get("If-None-Match", "")
    # GZipMiddleware weakens the ETag of what it compresses ("W/…"): the same version.
    tags = {tag.strip().removeprefix("W/") for tag in asked.split(",")}
    return etag in tags or "*" in tags


@require_GET
def display(request: HttpRequest, location_id: UUID) -> HttpResponse:
    """The screen of the location's waiting room: the call now, the calls before it, in
    Portuguese and the location's second language."""
    location = get_object_or_404(Location.objects.only("pk", "name", "time_zone"), pk=location_id)
    now = timezone.now()
    calls = _calls(location, now)
    settings = queue_settings_for(location)
    context = {
        "location": location,
        "languages": [_labels(code) for code in _display_languages(settings.display_language)],
        "current": calls[0] if calls else None,
        "previous": calls[1:],
        "shown_calls": SHOWN_CALLS,
    }
    response = render(request, "portal/queue/display.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def display_feed(request: HttpRequest, location_id: UUID) -> HttpResponseBase:
    """The screen's calls as JSON: ``{"version", "current": {number, desk, called_at, key} or
    null, "recent": [the calls before it, latest first]}``. An unchanged feed (``If-None-Match``
    with the version's ETag) is answered 304 after one query."""
    location = _location_with_last_call(location_id)
    if location is None:
        raise Http404
    now = timezone.now()
    last_call: datetime | None = getattr(location, "last_call", None)
    today = location_today(location, now)
    version = _feed_version(location.pk, today, last_call)
    etag = f'"{version}"'
    if _etag_matches(request, etag):
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        calls = _calls(location, now)
        body = {
            "version": version,
            "current": calls[0] if calls else None,
            "recent": calls[1:],
        }
        response = HttpResponse(
            json.dumps(body, separators=(",", ":")), content_type="application/json"
        )
    response["ETag"] = etag
    # Stored by no one without asking again: every poll is revalidated.
    response["Cache-Control"] = "no-cache"
    return response


# --- A person's ticket --------------------------------------------------------------------


def about_minutes(minutes: int) -> int:
    """An estimate as people are told it: to the minute up to ten, then to five minutes."""
    if minutes <= 10:
        return max(1, minutes)
    return int(5 * math.ceil(minutes / 5))


class NearForm(forms.Form):
    """The number to text when the ticket is third in line."""

    phone = forms.CharField(
        label=gettext_lazy("Your mobile phone number"),
        help_text=gettext_lazy(
            "With the country code if it is not a Cabo Verdean number, e.g. +221…"
        ),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


def _followed(ticket: Ticket) -> Ticket:
    """The ticket as it goes on: a ticket transferred to another service continues as a new
    ticket with the same number, which the same link shows."""
    for _step in range(10):
        if ticket.status != TicketStatus.TRANSFERRED:
            break
        successor = (
            Ticket.objects.filter(transferred_from=ticket)
            .select_related("location", "service_at_location__service")
            .first()
        )
        if successor is None:
            break
        ticket = successor
    return ticket


def _ask_near(request: HttpRequest, ticket: Ticket, form: NearForm) -> HttpResponse | int:
    """Action: text me when I am third in line. A redirect back to the ticket's page, or the
    status of the page to show again with the form's errors."""
    if not form.is_valid():
        return 400
    if NEAR_RATE.exceeded(request):
        form.add_error(
            None, _("Too many requests from your connection. Please try again in an hour.")
        )
        return 429
    NEAR_RATE.count(request)
    try:
        ask_to_be_told_when_near(
            ticket=ticket, phone=form.cleaned_data["phone"], now=timezone.now()
        )
    except QueueRefused:
        # Called, or closed, since the page was shown: the page now says what to do instead.
        messages.error(request, _("Your ticket is no longer waiting: no message is needed."))
        return redirect(request.path)
    messages.success(request, _("We will send you a text message when you are third in line."))
    return redirect(request.path)


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def ticket_page(request: HttpRequest, ticket_id: int, secret: str) -> HttpResponse:
    """A person's ticket: its number, where it stands and about how long the wait is; once
    called, the desk to go to. The same answer (404) for an unknown ticket and a wrong
    secret."""
    found = ticket_for_link(ticket_id, secret)
    if found is None:
        raise Http404
    ticket = _followed(found)
    now = timezone.now()
    form: NearForm | None = None
    status = 200
    if request.method == "POST":
        form = NearForm(request.POST)
        answer = _ask_near(request, ticket, form)
        if isinstance(answer, HttpResponse):
            return answer
        status = answer
    elif request.method != "GET":
        return HttpResponse(status=405)
    waiting = ticket.status == TicketStatus.WAITING
    position = position_of(ticket, now=now) if waiting else None
    estimate = estimated_wait_minutes(ticket, now=now) if waiting else None
    can_ask = waiting and not ticket.notify_when_near and (position or 0) > NEAR_POSITION
    if form is None and can_ask and "notify" in request.GET:
        form = NearForm()
    context: dict[str, Any] = {
        "ticket": ticket,
        "service": service_name(ticket.service_at_location.service, get_language() or "pt"),
        "location": ticket.location,
        "taken_at": local_time(ticket.created_at, ticket.location.time_zone),
        "status_label": TicketStatus(ticket.status).label,
        "waiting": waiting,
        "position": position,
        "estimate": about_minutes(estimate) if estimate is not None else None,
        "can_ask": can_ask,
        "form": form,
        # A form being filled in is never reloaded away.
        "refresh": TICKET_REFRESH_SECONDS
        if ticket.status in TICKET_OPEN and form is None
        else None,
    }
    return render(request, "portal/queue/ticket.html", context, status=status)


# --- "Waiting now" on a service's page ------------------------------------------------------


def waiting_now(sal: ServiceAtLocation, *, now: datetime) -> int | None:
    """About how many minutes someone arriving now waits for ``sal``, rounded as people are
    told it (0: little or no wait); None when the service has no queue today or no service
    time is known. Kept for ``WAITING_NOW_SECONDS`` per service. The number of people
    waiting is never published: it would be a small count."""
    key = f"queue:waiting-now:{sal.pk}:{int(now.timestamp() // WAITING_NOW_SECONDS)}"
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found if isinstance(found, int) else None
    minutes: int | None = None
    location = sal.location
    if Ticket.objects.filter(service_at_location=sal, day=location_today(location, now)).exists():
        estimate = waiting_now_minutes(location, now=now, service_at_location=sal)
        if estimate is not None:
            minutes = about_minutes(estimate) if estimate > 0 else 0
    cache.set(key, minutes if minutes is not None else "", WAITING_NOW_SECONDS)
    return minutes

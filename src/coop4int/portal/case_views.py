"""'Ask for help' without an account, and the page where a person follows their request.

The tracking link carries a secret: it is never stored in clear, never put in an address a
redirect would log; its pages are never cached and their address never sent on as a referrer
(only the site's origin is). After sending, this device shows the link for ``SHOWN_FOR`` — a
reload, a phone that reloads a tab, does not lose it — with ways to keep it: a card to save or
print, with a QR code; an SMS to a number the person gives. A lost link is not a lost request:
an officer hands over a new one (``cases.domain.tracking.renew_tracking_link``)."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop4int.accounts.enums import UnitKind
from coop4int.accounts.models import Unit
from coop4int.cases.domain.cases import (
    add_interaction,
    awaits_satisfaction,
    record_satisfaction,
)
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.domain.queries import case_for_tracking, timeline
from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case
from coop4int.channels.email_in import acknowledgement
from coop4int.channels.providers import SendFailed
from coop4int.channels.tracking_link import send_tracking_link_by_sms
from coop4int.core.formatting import format_datetime
from coop4int.core.personal_pages import mark_personal
from coop4int.people.domain.people import PersonDetails
from coop4int.people.enums import Purpose
from coop4int.portal.abuse import RateLimit, filled_by_robot
from coop4int.portal.case_forms import (
    AnswerForm,
    HelpRequest,
    RequestForm,
    TrackingSMSForm,
    local_units,
)
from coop4int.portal.support_lines import support_lines

# Enough for a person, not for a robot.
ASK_RATE = RateLimit("ask", limit=5, window=60 * 60)
ANSWER_RATE = RateLimit("answer", limit=10, window=60 * 60)
# An SMS costs money and can be aimed at anyone's phone: a few per connection.
SMS_RATE = RateLimit("tracking_sms", limit=3, window=60 * 60)
# Where the reference and secret wait, in the session, for the page that shows them.
SENT_KEY = "portal:request_sent"
# How long that page shows them on this device: enough to reload it, save or print the card or
# have it sent by SMS; short, for a shared computer (and "Forget it now" ends it at once).
SHOWN_FOR = timedelta(minutes=30)
TRACKING_REFERRER_POLICY = "strict-origin"

View = Callable[..., HttpResponse]


def private(*, referrer_policy: str = "") -> Callable[[View], View]:
    """Pages for one person only: kept by no cache, and with ``referrer_policy`` when their
    address (which may hold the tracking secret) must not be sent on."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            response = view(request, *args, **kwargs)
            mark_personal(response)
            if referrer_policy:
                response["Referrer-Policy"] = referrer_policy
            return response

        return wrapped

    return decorate


def _unit_for(chosen: Unit | None) -> Unit | None:
    """The unit chosen, else the national team (which passes it on), else any local unit."""
    return (
        chosen
        or Unit.objects.filter(kind=UnitKind.NATIONAL_AUTHORITY).order_by("pk").first()
        or local_units().first()
    )


@transaction.atomic
def _receive(request: HelpRequest, unit: Unit) -> tuple[Case, str]:
    """A request from the web form, through the one intake path: the details typed are a
    claim of identity, never attached to an existing record (``cases.domain.intake``)."""
    consents = {Purpose.SERVICE} | ({Purpose.CONTACT} if request.wants_contact else set())
    intake = receive_contact(
        actor=None,
        unit=unit,
        contact=Contact(
            channel=Channel.WEB,
            subject=request.subject,
            body=request.question,
            language=request.language,
            phone=request.phone,
            email=request.email,
            details=PersonDetails(given_names=request.name, preferred_language=request.language),
            consents=frozenset(consents),
        ),
    )
    if intake.acknowledge:
        # The reference and the link by e-mail too, once the case is saved.
        transaction.on_commit(acknowledgement(intake.case, intake.secret, to=request.email))
    return intake.case, intake.secret


@private()
def ask(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, language=get_language() or "pt")
    status = 200
    if request.method == "POST" and form.is_valid():
        if filled_by_robot(form):
            # A robot: shown the page a person would see, and nothing is kept.
            return redirect("portal:request_sent")
        unit = _unit_for(form.cleaned_data["unit"])
        if ASK_RATE.exceeded(request):
            form.add_error(
                None, _("Too many requests from your connection. Please try again in an hour.")
            )
            status = 429
        elif unit is None:
            form.add_error(None, _("Requests cannot be received right now. Please call us."))
            status = 503
        else:
            help_request = form.help_request()
            case, secret = _receive(help_request, unit)
            ASK_RATE.count(request)
            request.session[SENT_KEY] = {
                "reference": case.reference,
                "secret": secret,
                "emailed": bool(help_request.email),
                "phone": help_request.phone,
                "until": (timezone.now() + SHOWN_FOR).timestamp(),
            }
            return redirect("portal:request_sent")
    return render(request, "portal/request_form.html", {"form": form}, status=status)


def _sent(request: HttpRequest) -> dict[str, Any] | None:
    """The request just sent from this device, while its link is still shown here."""
    sent = request.session.get(SENT_KEY)
    if not isinstance(sent, dict):
        return None
    if float(sent.get("until", 0)) <= timezone.now().timestamp():
        del request.session[SENT_KEY]
        return None
    return sent


def _link(request: HttpRequest, reference: str, secret: str) -> str:
    return request.build_absolute_uri(reverse("portal:follow", args=[reference, secret]))


Refused = tuple[TrackingSMSForm, int]
"""A form to show again with its errors, and the status to answer with."""


def _send_by_sms(request: HttpRequest, sent: dict[str, Any]) -> HttpResponse | Refused:
    """Action "sms": the link to the number given, through the messaging gateway."""
    form = TrackingSMSForm(request.POST)
    if not form.is_valid():
        return form, 400
    if SMS_RATE.exceeded(request):
        form.add_error(
            None, _("Too many messages from your connection. Please try again in an hour.")
        )
        return form, 429
    case = case_for_tracking(sent["reference"], sent["secret"])
    SMS_RATE.count(request)
    try:
        send_tracking_link_by_sms(case, sent["secret"], to=form.cleaned_data["phone"])
    except SendFailed:
        form.add_error(
            None,
            _(
                "The text message could not be sent. Please save or print the card, or write "
                "the link down."
            ),
        )
        return form, 502
    messages.success(request, _("We sent the link to your phone by text message."))
    return redirect("portal:request_sent")


def _forget(request: HttpRequest, sent: dict[str, Any]) -> HttpResponse:
    """Action "forget": this device shows the link no more (a shared computer)."""
    del request.session[SENT_KEY]
    messages.success(request, _("This device no longer shows your link."))
    return redirect("portal:request_sent")


# The actions of the page after sending: name → what it does (a redirect back to the page, or
# the form to show again with its errors).
SENT_ACTIONS: dict[str, Callable[[HttpRequest, dict[str, Any]], HttpResponse | Refused]] = {
    "sms": _send_by_sms,
    "forget": _forget,
}


# "strict-origin", not "no-referrer", for the forms' sake (see ``follow``): the page's own
# address holds no secret, and its links send on only the site's origin.
@private(referrer_policy=TRACKING_REFERRER_POLICY)
def request_sent(request: HttpRequest) -> HttpResponse:
    """The reference and the tracking link, shown on this device for ``SHOWN_FOR``, with the
    card to save or print and the SMS form; afterwards, how to get a new link."""
    sent = _sent(request)
    sms_form: TrackingSMSForm | None = None
    status = 200
    if request.method == "POST":
        action = SENT_ACTIONS.get(request.POST.get("action", ""))
        if sent is None or action is None:
            return redirect("portal:request_sent")
        answer = action(request, sent)
        if isinstance(answer, HttpResponse):
            return answer
        sms_form, status = answer
    context: dict[str, Any] = {"sent": False, "lines": support_lines(get_language() or "pt")}
    if sent is not None:
        context |= {
            "sent": True,
            "reference": sent["reference"],
            "link": _link(request, sent["reference"], sent["secret"]),
            "emailed": sent["emailed"],
            "sms_form": sms_form or TrackingSMSForm(initial={"phone": sent.get("phone", "")}),
            "shown_until": format_datetime(datetime.fromtimestamp(sent["until"], UTC), "short"),
        }
    return render(request, "portal/request_sent.html", context, status=status)


def _card(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """The card as a file to keep: the link, its QR code, how to get a new one."""
    html = render_to_string(
        "cases/tracking_card_file.html",
        {
            "reference": reference,
            "link": _link(request, reference, secret),
            "lines": support_lines(get_language() or "pt"),
        },
        request=request,
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coop4int-{reference}.html"'
    return response


@private(referrer_policy="no-referrer")
def request_sent_card(request: HttpRequest) -> HttpResponse:
    """Save the card of the request just sent (a plain link: no script needed)."""
    sent = _sent(request)
    if sent is None:
        return redirect("portal:request_sent")
    return _card(request, sent["reference"], sent["secret"])


@private(referrer_policy=TRACKING_REFERRER_POLICY)
def follow_card(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    """Save the card of a request from its tracking page."""
    case = case_for_tracking(reference, secret)
    return _card(request, case.reference, secret)


# Not "no-referrer": under it browsers send "Origin: null" with the answer form, which the
# CSRF check must refuse. "strict-origin" sends only the site's origin, never the address.
@private(referrer_policy=TRACKING_REFERRER_POLICY)
def follow(request: HttpRequest, reference: str, secret: str) -> HttpResponse:
    case = case_for_tracking(reference, secret)
    if request.method == "POST" and "score" in request.POST:
        score = request.POST["score"]
        if score in ("1", "2", "3", "4", "5") and record_satisfaction(
            actor=None, case=case, score=int(score)
        ):
            messages.success(request, _("Thank you for your answer."))
        return redirect(request.path)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if filled_by_robot(form):
            return redirect(request.path)
        if ANSWER_RATE.exceeded(request):
            form.add_error(
                None, _("Too many messages from your connection. Please try again in an hour.")
            )
            status = 429
        else:
            add_interaction(
                actor=None,
                case=case,
                channel=Channel.WEB,
                direction=Direction.IN,
                body=form.cleaned_data["message"].strip(),
                is_public=True,
            )
            ANSWER_RATE.count(request)
            messages.success(request, _("Your answer was added to your request."))
            return redirect(request.path)
    context = {
        "case": case,
        "timeline": timeline(case, public_only=True),
        "form": form,
        "asks_satisfaction": awaits_satisfaction(case),
    }
    return render(request, "portal/follow.html", context, status=status)

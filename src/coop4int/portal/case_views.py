"""'Ask for help' without an account, and the page where a person follows their request.

The tracking link carries a secret: it is shown once, never stored in clear, never put in an
address a redirect would log; its page is never cached and its address never sent on as a
referrer (only the site's origin is)."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from coop4int.people.domain.people import PersonDetails
from coop4int.people.enums import Purpose
from coop4int.portal.abuse import RateLimit, filled_by_robot
from coop4int.portal.case_forms import AnswerForm, HelpRequest, RequestForm, local_units

# Enough for a person, not for a robot.
ASK_RATE = RateLimit("ask", limit=5, window=60 * 60)
ANSWER_RATE = RateLimit("answer", limit=10, window=60 * 60)
# Where the reference and secret wait, in the session, for the one page that shows them.
SENT_KEY = "portal:request_sent"
TRACKING_REFERRER_POLICY = "strict-origin"

View = Callable[..., HttpResponse]


def private(*, referrer_policy: str = "") -> Callable[[View], View]:
    """Pages for one person only: kept by no cache, and with ``referrer_policy`` when their
    address (which may hold the tracking secret) must not be sent on."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "private, no-store"
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
            }
            return redirect("portal:request_sent")
    return render(request, "portal/request_form.html", {"form": form}, status=status)


@private(referrer_policy="no-referrer")
def request_sent(request: HttpRequest) -> HttpResponse:
    """The reference and the tracking link, shown once: a reload shows neither."""
    sent = request.session.pop(SENT_KEY, None)
    context: dict[str, object] = {"sent": False}
    if isinstance(sent, dict):
        link = reverse("portal:follow", args=[sent["reference"], sent["secret"]])
        context = {
            "sent": True,
            "reference": sent["reference"],
            "link": request.build_absolute_uri(link),
            "emailed": sent["emailed"],
        }
    return render(request, "portal/request_sent.html", context)


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

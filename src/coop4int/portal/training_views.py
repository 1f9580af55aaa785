"""The public training pages, in plain pages that need no JavaScript: the catalogue of courses
with its filters, a course's page with its sessions, the application form sent without an
account, and the page that says what happens next.

Texts of a course (title, summary, description) come from the information hub's workflow in
the reader's language, or in another one, marked. The course, application and thanks pages are
marked personal (``case_views.private``): the places left change by the minute and the form
carries what a person typed. The application goes through
``learning.domain.enrolment.apply_publicly``: it never attaches itself to a person's record,
whatever phone or e-mail it gives; an officer decides it."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coop4int.appointments.enums import NotifyBy
from coop4int.content import markdown
from coop4int.core.fallback_notes import fallback_notes
from coop4int.core.formatting import current_locale, time_zone_name
from coop4int.core.languages import REGISTRY, Language
from coop4int.directory.models import DirectoryEntry
from coop4int.learning.domain.enrolment import PUBLIC_APPLICATION_LIMIT, apply_publicly
from coop4int.learning.domain.queries import (
    CourseText,
    course_text,
    open_sessions,
    public_catalogue,
    public_course,
    session_places_left,
)
from coop4int.learning.enums import Audience, DeliveryMode
from coop4int.learning.models import Course, CourseSession
from coop4int.portal.abuse import filled_by_robot
from coop4int.portal.case_views import private
from coop4int.portal.content_views import reading_language
from coop4int.portal.presentation import language_names, local_time
from coop4int.portal.training_forms import ApplicationForm, CatalogueFilterForm

# Where what the thanks page says waits for it, in the session: the course, whether the
# session was full, how and in which language the applicant is told. No contact detail.
APPLIED_KEY = "portal:training_applied"
# The fields of the form a refusal of the domain may be about, by its code (the rest concern
# the whole form).
REFUSAL_FIELDS = frozenset({"name", "language", "notify_by", "sex", "nationality"})


# --- What the pages show ----------------------------------------------------------------------


def _language() -> str:
    return get_language() or "pt"


def _zone(session: CourseSession) -> str:
    """The clock a session's times are on: its place's, else the readers' (online)."""
    return session.location.time_zone if session.location else settings.TIME_ZONE


def _dates(session: CourseSession) -> str:
    """ "9–11 Mar 2026" on the session's clock, in the page's language; one date for a session
    of one day, "" for a session without days yet."""
    if session.starts_at is None:
        return ""
    zone = ZoneInfo(_zone(session))
    first: date = session.starts_at.astimezone(zone).date()
    last: date = (session.ends_at or session.starts_at).astimezone(zone).date()
    if first == last:
        return babel_dates.format_date(first, "medium", locale=current_locale())
    return babel_dates.format_interval(first, last, "yMMMd", locale=current_locale())


def _place_name(session: CourseSession) -> str:
    location = session.location
    if location is None:
        return _("Online")
    parts = [part for part in (location.name, location.municipality) if part]
    return ", ".join(dict.fromkeys(parts))


def _directory_links(sessions: list[CourseSession]) -> dict[Any, str]:
    """The address of the directory entry of each session's place, where there is one."""
    location_ids = {session.location_id for session in sessions if session.location_id}
    links: dict[Any, str] = {}
    entries = DirectoryEntry.objects.filter(location_id__in=location_ids).order_by("pk")
    for location_id, entry_id in entries.values_list("location_id", "pk"):
        links.setdefault(location_id, reverse("portal:directory_detail", args=[entry_id]))
    return links


def _language_name(code: str) -> str:
    return REGISTRY[code].native_name if code in REGISTRY else code


def _session_row(course: Course, session: CourseSession, links: dict[Any, str]) -> dict[str, Any]:
    """One session as the course page shows it: days on the place's clock, place (with its
    directory entry), language and places left."""
    zone = _zone(session)
    tz = ZoneInfo(zone)
    left = session_places_left(session)
    return {
        "session": session,
        "dates": _dates(session),
        "days": [
            {
                "starts_at": day.starts_at,
                "label": babel_dates.format_date(
                    day.starts_at.astimezone(tz).date(), "full", locale=current_locale()
                ),
                "times": f"{local_time(day.starts_at, zone)}–{local_time(day.ends_at, zone)}",
            }
            for day in session.days.all()
        ],
        "time_zone": time_zone_name(zone),
        "location": session.location,
        "address": next(iter(session.location.addresses.all()), None) if session.location else None,
        "place": _place_name(session),
        "directory_url": links.get(session.location_id, ""),
        "language": (session.language, _language_name(session.language)),
        "places_left": left,
        "full": left <= 0,
        "apply_url": reverse("portal:training_apply", args=[course.slug])
        + f"?session={session.pk}",
    }


def _next_session(session: CourseSession, links: dict[Any, str]) -> dict[str, Any]:
    """A course's next session as the catalogue shows it: dates, place and places left."""
    left = session_places_left(session)
    return {
        "dates": _dates(session),
        "place": _place_name(session),
        "directory_url": links.get(session.location_id, ""),
        "places_left": left,
        "full": left <= 0,
    }


def _session_label(session: CourseSession, left: int) -> str:
    """A session with ``left`` places as one line of the application form's choice."""
    line = _("%(dates)s, %(place)s, in %(language)s") % {
        "dates": _dates(session) or _("dates to be announced"),
        "place": _place_name(session),
        "language": _language_name(session.language),
    }
    if left <= 0:
        return _("%(session)s — full: waiting list") % {"session": line}
    return ngettext(
        "%(session)s — %(count)d place left",
        "%(session)s — %(count)d places left",
        left,
    ) % {"session": line, "count": left}


def _audiences(course: Course) -> list[str]:
    return [str(Audience(code).label) for code in course.audiences if code in Audience.values]


def _facts(course: Course) -> dict[str, Any]:
    """What the catalogue and the course page both say of a course."""
    return {
        "audiences": _audiences(course),
        "mode": str(DeliveryMode(course.mode).label) if course.mode in DeliveryMode.values else "",
        "hours": babel_numbers.format_decimal(course.hours, locale=current_locale()),
        "languages": language_names(list(course.languages)),
    }


def _criteria(course: Course) -> list[str]:
    """How the course is completed and what it gives, in whole sentences."""
    percent = babel_numbers.format_percent(
        course.min_attendance_percent / 100, locale=current_locale()
    )
    sentences = [
        _("To complete the course, attend at least %(percent)s of its days.") % {"percent": percent}
    ]
    if course.assessment_required:
        sentences.append(_("You also need to pass an assessment at the end."))
    if not course.certificate:
        sentences.append(_("No certificate is given for this course."))
    elif course.certificate_valid_months:
        sentences.append(
            ngettext(
                "On completion you get a certificate that anyone can check online, valid for "
                "%(months)d month.",
                "On completion you get a certificate that anyone can check online, valid for "
                "%(months)d months.",
                course.certificate_valid_months,
            )
            % {"months": course.certificate_valid_months}
        )
    else:
        sentences.append(_("On completion you get a certificate that anyone can check online."))
    return sentences


def _fallback_notes(text: CourseText) -> list[tuple[Language, str]]:
    """The notes that the text is not in the language asked for (as information pages do)."""
    if not text.is_fallback:
        return []
    return fallback_notes(text.asked, text.language)


def _giver(course: Course) -> str:
    """Who gives the course: the partner organisation, else the unit that runs it."""
    return course.organisation.name if course.organisation else course.unit.name


def _catalogue_facets() -> tuple[list[str], list[str]]:
    """The islands of the published courses' places and the languages their sessions are
    taught in: only values some course has."""
    rows = (
        CourseSession.objects.filter(course__published=True, cancelled_at__isnull=True)
        .values_list("location__island", "language")
        .distinct()
    )
    islands = {island for island, _language in rows if island}
    languages = {language for _island, language in rows if language}
    return sorted(islands), sorted(languages, key=_language_name)


# --- The pages --------------------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    """Every published course with its next session, filtered by audience, island, language
    taught in, and whether a session is to come."""
    islands, languages = _catalogue_facets()
    form = CatalogueFilterForm(request.GET or None, islands=islands, languages=languages)
    now = timezone.now()
    entries = public_catalogue(
        language=reading_language(request, request.GET.get("lang", "")),
        now=now,
        **form.criteria(),
    )
    links = _directory_links([entry.sessions[0] for entry in entries if entry.sessions])
    courses = [
        {
            "course": entry.course,
            "text": entry.text,
            "text_language": REGISTRY.get(entry.text.language),
            "url": reverse("portal:training_course", args=[entry.course.slug]),
            "next": _next_session(entry.sessions[0], links) if entry.sessions else None,
            "more_sessions": max(len(entry.sessions) - 1, 0),
            **_facts(entry.course),
        }
        for entry in entries
    ]
    return render(
        request,
        "portal/training/catalogue.html",
        {"form": form, "courses": courses, "filtered": form.filtered},
    )


@private()
def course_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A course in the reader's language (a fallback marked), how it is completed, who gives
    it, and its sessions open for applications with their places left."""
    course = public_course(slug)
    text = course_text(course, reading_language(request))
    sessions = open_sessions(course, now=timezone.now())
    prefetch_related_objects(sessions, "days", "location__addresses")
    links = _directory_links(sessions)
    context = {
        "course": course,
        "text": text,
        "text_language": REGISTRY.get(text.language),
        "body": markdown.render(text.body),
        "fallback_notes": _fallback_notes(text),
        "criteria": _criteria(course),
        "giver": _giver(course),
        "sessions": [_session_row(course, session, links) for session in sessions],
        **_facts(course),
    }
    return render(request, "portal/training/course.html", context)


@private()
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The application to one of the course's sessions (``?session=`` chooses it). A robot is
    shown the thanks page and nothing is kept; what the domain refuses is shown in the page's
    language, and the form keeps what was typed."""
    course = public_course(slug)
    now = timezone.now()
    language = _language()
    text = course_text(course, reading_language(request))
    sessions = {str(session.pk): session for session in open_sessions(course, now=now)}
    left = {key: session_places_left(session) for key, session in sessions.items()}
    choices = [(key, _session_label(session, left[key])) for key, session in sessions.items()]
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, sessions=choices, language=language
    )
    status = 200
    if request.method != "POST":
        if request.GET.get("session", "") in sessions:
            form.initial["session"] = request.GET["session"]
    elif form.is_valid():
        if filled_by_robot(form):
            # A robot: shown the page a person would see, and nothing is kept.
            return redirect("portal:training_applied", course.slug)
        if PUBLIC_APPLICATION_LIMIT.exceeded(request):
            form.add_error(
                None,
                _("Too many applications from your connection. Please try again in an hour."),
            )
            status = 429
        else:
            session = sessions[form.cleaned_data["session"]]
            applicant = form.applicant()
            full = left[form.cleaned_data["session"]] <= 0
            try:
                apply_publicly(session=session, applicant=applicant, now=now)
            except ValidationError as error:
                code = getattr(error, "code", None)
                form.add_error(code if code in REFUSAL_FIELDS else None, error.messages)
                status = 400
            else:
                PUBLIC_APPLICATION_LIMIT.count(request)
                request.session[APPLIED_KEY] = {
                    "course": course.slug,
                    "session": session.pk,
                    "full": full,
                    "notify_by": applicant.notify_by,
                    "language": applicant.language,
                }
                return redirect("portal:training_applied", course.slug)
    context = {
        "course": course,
        "text": text,
        "text_language": REGISTRY.get(text.language),
        "form": form,
        "has_sessions": bool(sessions),
        "full": bool(left) and all(count <= 0 for count in left.values()),
    }
    return render(request, "portal/training/apply.html", context, status=status)


def _how_we_tell(notify_by: str) -> str:
    sentences: dict[str, str] = {
        NotifyBy.EMAIL: _("We will tell you by e-mail whether you have a place."),
        NotifyBy.SMS: _("We will tell you by SMS whether you have a place."),
        NotifyBy.WHATSAPP: _("We will tell you by WhatsApp whether you have a place."),
    }
    return sentences.get(notify_by, _("We will tell you whether you have a place."))


@private()
def applied(request: HttpRequest, slug: str) -> HttpResponse:
    """What happens after applying: the team decides, the applicant is told how and in which
    language, and — for a full session — the waiting list."""
    course = public_course(slug)
    text = course_text(course, reading_language(request))
    sent = request.session.get(APPLIED_KEY)
    context: dict[str, Any] = {
        "course": course,
        "text": text,
        "text_language": REGISTRY.get(text.language),
        "giver": _giver(course),
        "how_we_tell": _how_we_tell(""),
        "full": False,
        "messages_language": None,
    }
    if isinstance(sent, dict) and sent.get("course") == course.slug:
        code = str(sent.get("language", ""))
        context |= {
            "how_we_tell": _how_we_tell(str(sent.get("notify_by", ""))),
            "full": bool(sent.get("full")),
            "messages_language": REGISTRY.get(code),
        }
    return render(request, "portal/training/applied.html", context)

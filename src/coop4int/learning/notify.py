"""Messages to the participants of a course: written in the language they chose (or the
interface language standing for it), sent by the way they asked for — e-mail, SMS or WhatsApp
— through the appointments' sender (``appointments.notify.notify``), with the templates of
``learning/messages`` and audited as ``learning.message.sent`` / ``learning.message.failed``.

Messages: ``application_received``, ``enrolment_accepted``, ``enrolment_waiting``,
``enrolment_declined``, ``session_reminder``, ``session_changed``, ``session_cancelled``,
``outcome_completed`` (with the certificate's verification address when one was issued) and
``outcome_not_completed``. WhatsApp needs an approved template per message in
``settings.LEARNING_WHATSAPP_TEMPLATES`` (message → template id); without one it goes by SMS.

A message never breaks what it is about: it goes after the commit, and a failure to send is
logged and audited, not raised."""

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from coop4int.appointments import notify as messages
from coop4int.appointments.calendar_file import location_text
from coop4int.channels.providers import MessageSender
from coop4int.core.languages import REGISTRY, interface_language_for
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Enrolment

TEMPLATE_DIR = "learning/messages"
AUDIT_PREFIX = "learning"
WHATSAPP_SETTING = "LEARNING_WHATSAPP_TEMPLATES"

MESSAGES = (
    "application_received",
    "enrolment_accepted",
    "enrolment_waiting",
    "enrolment_declined",
    "session_reminder",
    "session_changed",
    "session_cancelled",
    "outcome_completed",
    "outcome_not_completed",
)


def public_url(language: str, name: str, kwargs: Mapping[str, str], fallback: str) -> str:
    """An address of the public site in ``language`` (an interface language standing for it):
    the named page when the site has it, else the path it has by contract."""
    language = interface_language_for(language)
    with translation.override(language):
        try:
            path = reverse(name, kwargs=dict(kwargs))
        except NoReverseMatch:
            path = f"/{language}/{fallback}"
    return settings.PUBLIC_URL.rstrip("/") + path


def course_url(enrolment: Enrolment) -> str:
    slug = enrolment.session.course.slug
    return public_url(
        enrolment.language, "portal:training_course", {"slug": slug}, f"training/{slug}/"
    )


def verification_url(certificate_id: str, language: str) -> str:
    """The certificate's public verification page in ``language``."""
    from coop4int.learning.credentials.badge import verify_page_url

    return verify_page_url(certificate_id, interface_language_for(language))


def waiting_position(enrolment: Enrolment) -> int:
    """1 for the first on the session's waiting list."""
    ahead = Enrolment.objects.filter(
        session_id=enrolment.session_id,
        status=EnrolmentStatus.WAITING,
        created_at__lt=enrolment.created_at,
    ).count()
    same_time = Enrolment.objects.filter(
        session_id=enrolment.session_id,
        status=EnrolmentStatus.WAITING,
        created_at=enrolment.created_at,
        pk__lt=enrolment.pk,
    ).count()
    return ahead + same_time + 1


def session_context(enrolment: Enrolment, **extra: Any) -> dict[str, Any]:
    """What every message about ``enrolment`` says: the course in the participant's language,
    the session's first and last day (on its place's clock), how many days, where (or the
    online address) and in which language it is taught, the unit giving it."""
    from coop4int.learning.domain.queries import course_text

    session = enrolment.session
    course = session.course
    location = session.location
    language = REGISTRY.get(session.language)
    return {
        "course_title": course_text(course, enrolment.language).title,
        "course_url": course_url(enrolment),
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "day_count": session.days.count(),
        "place": location_text(location) if location is not None else "",
        "online_address": session.online_address,
        "taught_in": language.native_name if language else session.language,
        "hours": course.hours,
        "unit_name": course.unit.name,
        "time_zone": (location.time_zone if location is not None else "") or settings.TIME_ZONE,
    } | extra


def tell(
    enrolment: Enrolment,
    message: str,
    *,
    sender: MessageSender | None = None,
    **extra: Any,
) -> bool:
    """Send ``message`` about ``enrolment`` to its participant now; True when it went.

    Side effects: audit ``learning.message.sent`` (message, channel, masked address) or
    ``learning.message.failed``, filed under the course's unit. Never raises for a failure to
    send."""
    if message not in MESSAGES:
        raise ValueError(f"unknown message {message!r}")
    context = session_context(enrolment, **extra)
    if message == "enrolment_waiting" and "position" not in context:
        context["position"] = waiting_position(enrolment)
    if context.get("certificate_id") and "verify_url" not in context:
        language = context.get("certificate_language") or enrolment.language
        context["verify_url"] = verification_url(context["certificate_id"], language)
    return messages.notify(
        enrolment,
        message=message,
        context=context,
        about=enrolment,
        sender=sender,
        template_dir=TEMPLATE_DIR,
        audit_prefix=AUDIT_PREFIX,
        whatsapp_setting=WHATSAPP_SETTING,
        unit=enrolment.session.course.unit,
    )


def tell_on_commit(enrolment: Enrolment, message: str, **extra: Any) -> None:
    """``tell`` once the current transaction commits (at once outside one)."""
    if message not in MESSAGES:
        raise ValueError(f"unknown message {message!r}")
    transaction.on_commit(partial(tell, enrolment, message, **extra), robust=True)

"""Messages to people about their appointments and tickets: written in the person's language,
sent by the way they asked for (e-mail, SMS or WhatsApp) through the existing senders.

``notify`` never raises into its caller: a message that cannot go is logged (without personal
data) and audited as not sent, and the booking it is about stands. It is meant to run after
the commit (``transaction.on_commit``): a link's secret lives only in the closure that calls it,
never in a task's arguments or the database.

WhatsApp: these messages are business-initiated, so they are outside WhatsApp's 24-hour window
and only an approved template may go. ``settings.APPOINTMENT_WHATSAPP_TEMPLATES`` maps a message
key to the provider's template id (Twilio: the Content SID); a message without one goes by SMS.

Other apps send their own messages through ``notify`` with their template folder, audit prefix
and WhatsApp setting (``template_dir=``, ``audit_prefix=``, ``whatsapp_setting=``).
"""

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any, Protocol

from babel import dates as babel_dates
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from coop4int.appointments.calendar_file import booking_calendar, location_text, service_name
from coop4int.appointments.enums import NotifyBy
from coop4int.appointments.models import Booking
from coop4int.channels.providers import (
    MessageSender,
    SendFailed,
    UnknownProvider,
    message_sender,
)
from coop4int.core.audit import mask, record
from coop4int.core.bidi import isolate_runs_for_language
from coop4int.core.formatting import current_locale
from coop4int.core.languages import interface_language_for

logger = logging.getLogger("coop4int.appointments.notify")

TEMPLATE_DIR = "appointments/messages"
_BLANK_LINES = re.compile(r"\n{3,}")
# An attachment as ``EmailMessage.attach`` takes it.
Attachment = tuple[str, bytes | str, str]


class Recipient(Protocol):
    """Who a message goes to: a booking, a waiting-list place, or anything with these (a
    ticket, which has only a phone and a language, may be passed as it is)."""

    name: str
    phone: str
    email: str
    language: str
    notify_by: str


def _public_url(language: str, name: str, kwargs: dict[str, str], fallback: str) -> str:
    """An address of the public site in ``language``, for a message: the named page when the
    site has it, else the path it has by contract."""
    language = interface_language_for(language)
    with translation.override(language):
        try:
            path = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            path = f"/{language}/{fallback}"
    return settings.PUBLIC_URL.rstrip("/") + path


def manage_url(booking: Booking, secret: str) -> str:
    """The person's page to see, move or cancel (or accept) the appointment, in their
    language. It holds the secret: build it in the closure that sends, never store it."""
    kwargs = {"reference": booking.reference, "secret": secret}
    fallback = f"appointments/{booking.reference}/{secret}/"
    return _public_url(booking.language, "portal:appointment_manage", kwargs, fallback)


def booking_start_url(language: str) -> str:
    """Where to book again."""
    return _public_url(language, "portal:appointments", {}, "appointments/")


def booking_context(booking: Booking, **extra: Any) -> dict[str, Any]:
    """What every message about ``booking`` says: the reference, the service in the person's
    language, the place, the time (on the location's clock) and the deadline to change it."""
    service_at_location = booking.bookable.service_at_location
    location = service_at_location.location
    unit = service_at_location.service.unit
    return {
        "reference": booking.reference,
        "service_name": service_name(service_at_location.service, booking.language),
        "location_name": location.name,
        "place": location_text(location),
        "unit_name": unit.name if unit is not None else "",
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "change_until": booking.starts_at - timedelta(hours=booking.bookable.cancel_until_hours),
        "time_zone": location.time_zone or settings.TIME_ZONE,
        "interpreter_needed": booking.interpreter_needed,
    } | extra


def calendar_attachment(booking: Booking) -> Attachment:
    return ("appointment.ics", booking_calendar(booking), "text/calendar")


def whatsapp_template(message: str, *, setting: str = "APPOINTMENT_WHATSAPP_TEMPLATES") -> str:
    """The approved WhatsApp template for ``message`` in the mapping ``settings.<setting>``
    (``""``: none, the message goes by SMS)."""
    templates = getattr(settings, setting, {}) or {}
    value = templates.get(message, "")
    return value if isinstance(value, str) else ""


def _field(recipient: object, name: str) -> str:
    """A contact field of the recipient; ``""`` when it has none (a ticket has no e-mail)."""
    return str(getattr(recipient, name, "") or "").strip()


def channel_for(recipient: Recipient) -> str:
    """How to reach ``recipient``: the way they asked for when they gave what it needs, else
    e-mail when there is an address, else SMS when there is a phone; ``""`` when neither."""
    email, phone = _field(recipient, "email"), _field(recipient, "phone")
    wanted = _field(recipient, "notify_by")
    if wanted == NotifyBy.EMAIL and email:
        return NotifyBy.EMAIL.value
    if wanted in (NotifyBy.SMS, NotifyBy.WHATSAPP) and phone:
        return str(wanted)
    if email:
        return NotifyBy.EMAIL.value
    if phone:
        return NotifyBy.SMS.value
    return ""


def moment_text(moment: datetime, *, short: bool = False) -> str:
    """A moment in the active language on the active time zone's clock: "segunda-feira,
    19 de janeiro de 2026, 09:00" (short: "19/01/26, 09:00")."""
    locale = current_locale()
    zone = timezone.get_current_timezone()
    if short:
        return babel_dates.format_datetime(moment, "short", tzinfo=zone, locale=locale)
    day = babel_dates.format_date(moment.astimezone(zone).date(), "full", locale=locale)
    clock = babel_dates.format_time(moment, "short", tzinfo=zone, locale=locale)
    pattern = str(babel_dates.get_datetime_format("long", locale=locale)).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", clock)


def _rendered_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` with, for each datetime ``x`` in it, ``x_text`` and ``x_short`` written in
    the active language and time zone."""
    values = dict(context)
    for key, value in context.items():
        if isinstance(value, datetime):
            values[f"{key}_text"] = moment_text(value)
            values[f"{key}_short"] = moment_text(value, short=True)
    return values


def render_message(
    recipient: Recipient,
    message: str,
    context: Mapping[str, Any],
    *,
    template_dir: str = TEMPLATE_DIR,
) -> tuple[str, str, str]:
    """(subject, body, short text) of ``message`` (templates in ``template_dir``) for
    ``recipient``: in their language (or the interface language standing for it), times on the
    clock of ``context["time_zone"]``."""
    language = interface_language_for(_field(recipient, "language") or settings.LANGUAGE_CODE)
    zone = context.get("time_zone") or settings.TIME_ZONE
    with translation.override(language), timezone.override(zone):
        values = _rendered_context(context) | {"recipient_name": _field(recipient, "name")}
        subject_text = render_to_string(f"{template_dir}/{message}_subject.txt", values)
        body_text = render_to_string(f"{template_dir}/{message}.txt", values)
        short_text = render_to_string(f"{template_dir}/{message}_sms.txt", values)
    subject = " ".join(subject_text.split())
    # Lines left empty by a condition in the template: at most one blank line in a row.
    lines = "\n".join(line.rstrip() for line in body_text.splitlines())
    body = isolate_runs_for_language(_BLANK_LINES.sub("\n\n", lines).strip() + "\n", language)
    short = isolate_runs_for_language(" ".join(short_text.split()), language)
    return subject, body, short


def _unit_of(obj: models.Model | None) -> Any:
    if obj is None:
        return None
    bookable = getattr(obj, "bookable", None)
    if bookable is not None:
        return bookable.service_at_location.service.unit
    service_at_location = getattr(obj, "service_at_location", None)
    if service_at_location is not None:
        return service_at_location.service.unit
    return None


def _audited_object(recipient: object, about: models.Model | None) -> models.Model | None:
    if about is not None:
        return about if about.pk else None
    if isinstance(recipient, models.Model) and recipient.pk:
        return recipient
    return None


def _label(obj: models.Model | None) -> str:
    """What a log line may say about the object: its reference or number, never a name."""
    if obj is None:
        return "-"
    return str(getattr(obj, "reference", "") or getattr(obj, "number", "") or f"#{obj.pk}")


# Set by ``withheld``: messages asked for meanwhile are not sent.
_WITHHELD: ContextVar[bool] = ContextVar("appointment_messages_withheld", default=False)


@contextmanager
def withheld() -> Iterator[None]:
    """Messages asked for inside this block (and by the commits it ends) are not sent: for
    records about invented people, such as the demo's, whose addresses reach nobody."""
    token = _WITHHELD.set(True)
    try:
        yield
    finally:
        _WITHHELD.reset(token)


def notify(
    recipient: Recipient,
    *,
    message: str,
    context: Mapping[str, Any],
    attachments: Iterable[Attachment] = (),
    about: models.Model | None = None,
    sender: MessageSender | None = None,
    template_dir: str = TEMPLATE_DIR,
    audit_prefix: str = "appointments",
    whatsapp_setting: str = "APPOINTMENT_WHATSAPP_TEMPLATES",
    unit: Any = None,
) -> bool:
    """Send ``message`` (templates ``<template_dir>/<message>.txt``, ``…_subject.txt`` for
    e-mail, ``…_sms.txt`` for SMS and WhatsApp; ``appointments/messages`` unless told) to
    ``recipient``; True when it went.

    ``context`` may hold ``time_zone`` (the unit's); ``about`` is the booking or ticket the
    audit entry names (default: ``recipient`` when it is a saved record), ``unit`` the unit
    the entry is filed under (default: the unit of the booking's or ticket's service).
    ``attachments`` go with e-mails only. ``sender`` replaces the configured gateway (tests).
    ``whatsapp_setting`` names the setting mapping messages to approved WhatsApp templates.

    Side effects: audit ``<audit_prefix>.message.sent`` (message, channel, masked address) or
    ``<audit_prefix>.message.failed`` (message, channel, kind of failure); the prefix is
    ``appointments`` unless told. Never raises for a failure to send. Inside ``withheld()``
    nothing is sent or recorded."""
    if _WITHHELD.get():
        return False
    obj = _audited_object(recipient, about)
    unit = unit if unit is not None else _unit_of(obj)
    attached = tuple(attachments)
    channel = channel_for(recipient)
    if not channel:
        _failed(obj, unit, audit_prefix, message=message, channel="none", problem="no_contact")
        return False
    try:
        subject, body, short = render_message(
            recipient, message, context, template_dir=template_dir
        )
    except Exception:
        # A broken template must not break the booking it is about.
        logger.exception("message %s about %s could not be written", message, _label(obj))
        _failed(obj, unit, audit_prefix, message=message, channel=channel, problem="template")
        return False

    template = ""
    if channel == NotifyBy.WHATSAPP:
        template = whatsapp_template(message, setting=whatsapp_setting)
        if not template:
            channel = NotifyBy.SMS.value
    address = _field(recipient, "email" if channel == NotifyBy.EMAIL else "phone")
    try:
        if channel == NotifyBy.EMAIL:
            mail = EmailMessage(subject, body, settings.CASES_FROM_EMAIL, [address])
            mail.extra_headers["Auto-Submitted"] = "auto-generated"
            for filename, content, mimetype in attached:
                mail.attach(filename, content, mimetype)
            mail.send()
        else:
            gateway = sender if sender is not None else message_sender()
            gateway.send(address, short, whatsapp=channel == NotifyBy.WHATSAPP, template=template)
    except (SendFailed, UnknownProvider, OSError, ValueError) as error:
        # SendFailed and UnknownProvider from the gateway, OSError (SMTP errors among them)
        # from the mail server, ValueError from a header it refuses. The error's text may
        # quote the address: the log names only what kind it was.
        logger.warning(
            "message %s about %s not sent by %s: %s",
            message,
            _label(obj),
            channel,
            type(error).__name__,
        )
        _failed(
            obj,
            unit,
            audit_prefix,
            message=message,
            channel=channel,
            problem=type(error).__name__,
        )
        return False
    _audit(
        f"{audit_prefix}.message.sent",
        obj,
        unit,
        {
            "message": message,
            "channel": channel,
            "to": mask(address),
            "template": bool(template),
            "attachments": len(attached) if channel == NotifyBy.EMAIL else 0,
        },
    )
    return True


def _failed(
    obj: models.Model | None,
    unit: Any,
    audit_prefix: str,
    *,
    message: str,
    channel: str,
    problem: str,
) -> None:
    _audit(
        f"{audit_prefix}.message.failed",
        obj,
        unit,
        {"message": message, "channel": channel, "problem": problem},
    )


def _audit(action: str, obj: models.Model | None, unit: Any, data: dict[str, Any]) -> None:
    try:
        record(action=action, actor=None, obj=obj, unit=unit, data=data)
    except Exception:
        # The message went (or not) whatever the log says; the caller's work stands.
        logger.exception("%s for message %s could not be recorded", action, data["message"])

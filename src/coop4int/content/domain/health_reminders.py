"""The monthly reminder: each unit's content editors and coordinators get, at most once a
calendar month, one e-mail in their own language listing what of the unit's information needs
attention (``health``): items past their review date or due soon, translations behind their
source, languages missing. A unit whose information is all green gets nothing."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.content.domain.health import ItemHealth, UnitHealth, content_health
from coop4int.content.enums import Health
from coop4int.content.models import HealthReminder
from coop4int.core import audit
from coop4int.core.languages import REGISTRY, interface_language_for

# Who is reminded of a unit's information: those who write it and those who answer for it.
REMINDED_ROLES = (Role.CONTENT_EDITOR, Role.UNIT_COORDINATOR)


@dataclass(frozen=True, slots=True)
class _Line:
    """One item of the e-mail, as its recipient reads it."""

    title: str
    light: str
    review_by: date
    past_review: bool
    review_due_soon: bool
    outdated: str  # "Français (fr), English (en)"
    missing: str


def _names(codes: tuple[str, ...]) -> str:
    return ", ".join(f"{REGISTRY[code].native_name} ({code})" for code in codes)


def _line(health: ItemHealth, language: str) -> _Line:
    return _Line(
        title=health.title_in(language),
        light=str(health.light.label),
        review_by=health.review_by,
        past_review=health.past_review,
        review_due_soon=health.review_due_soon,
        outdated=_names(health.outdated),
        missing=_names(health.missing),
    )


def _already_reminded(reminder: HealthReminder, today: date) -> bool:
    sent = reminder.sent_on
    return sent is not None and (sent.year, sent.month) == (today.year, today.month)


@transaction.atomic
def remind_unit(*, health: UnitHealth, today: date) -> int:
    """E-mail the unit's content editors and coordinators what of its information needs
    attention, unless they were e-mailed this calendar month or all is green. Returns how many
    e-mails went. Side effects: e-mails; the unit's ``HealthReminder``; audit
    ``content.health.reminded``."""
    unit = health.unit
    if unit is None or health.light == Health.GREEN:
        return 0
    HealthReminder.objects.get_or_create(unit=unit)
    # Locked, so that two runs at once cannot both send this month's e-mail.
    reminder = HealthReminder.objects.select_for_update().get(unit=unit)
    if _already_reminded(reminder, today):
        return 0
    recipients = list(
        User.objects.filter(unit=unit, is_active=True, role_assignments__role__in=REMINDED_ROLES)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )
    if not recipients:
        return 0
    link = f"{settings.PUBLIC_URL.rstrip('/')}{reverse('backoffice:content_health')}?" + (
        urlencode({"unit": unit.slug})
    )
    for recipient in recipients:
        language = interface_language_for(recipient.language or settings.LANGUAGE_CODE)
        with translation.override(language):
            context = {
                "user": recipient,
                "unit": unit,
                "light": health.light.label,
                "lines": [_line(item, language) for item in health.attention],
                "link": link,
            }
            subject = render_to_string("content/email/health_subject.txt", context).strip()
            body = render_to_string("content/email/health.txt", context)
        send_mail(subject, body, None, [recipient.email])
    reminder.sent_on = today
    reminder.save(update_fields=["sent_on"])
    audit.record(
        action="content.health.reminded",
        actor=None,
        unit=unit,
        data={
            "light": str(health.light),
            "items": len(health.attention),
            "recipients": len(recipients),
        },
    )
    return len(recipients)


def send_health_reminders(*, today: date) -> int:
    """Remind every unit whose information needs attention (``remind_unit``, one transaction
    per unit, so that one unit's failure leaves the others reminded). Returns how many e-mails
    went; safe to run again the same month."""
    return sum(
        remind_unit(health=health, today=today)
        for health in content_health(today=today, include_no_unit=False)
    )

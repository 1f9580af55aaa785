"""Background work of the people app. Tasks take ids and are safe to run twice."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.people.domain.retention import apply_retention
from coop4int.people.models import UnitLink


@task()
def tell_coordinators_of_link(link_id: int) -> int:
    """E-mail the coordinators of the unit that registered the person and of the unit the
    record was opened to, in their language, that the record is now shared (no personal
    detail in the message: who may, opens the record). Returns how many mails went."""
    link = (
        UnitLink.objects.select_related("person__unit", "unit", "linked_by")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        return 0
    coordinators = (
        User.objects.filter(
            unit_id__in=[link.person.unit_id, link.unit_id],
            is_active=True,
            role_assignments__role=Role.UNIT_COORDINATOR,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    sent = 0
    for coordinator in coordinators:
        with translation.override(coordinator.language or settings.LANGUAGE_CODE):
            context = {"user": coordinator, "link": link}
            subject = render_to_string("people/email/linked_subject.txt", context).strip()
            body = render_to_string("people/email/linked.txt", context)
        send_mail(subject, body, None, [coordinator.email])
        sent += 1
    return sent


@task()
def apply_retention_schedule() -> dict[str, Any]:
    """Anonymise or delete what is past its retention period (``people.domain.retention``);
    returns the report the audit entry holds. Safe to run twice: the second run finds
    nothing left to do."""
    return apply_retention(now=timezone.now()).as_data()

"""Background work of the directory. Tasks take ids (or nothing) and are safe to run twice."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.domain.queries import stale_services
from coop4int.directory.models import Service

REMIND_AGAIN_AFTER = timedelta(days=30)


@task()
def roll_open_intervals() -> int:
    """Move every entry's opening intervals forward (they are kept for five weeks ahead)."""
    return refresh_entries()


@task()
def remind_unverified_services() -> int:
    """E-mail each unit's coordinators the entries nobody verified for six months, in their
    language; an entry is mentioned again only after 30 days. Returns how many mails went."""
    today = timezone.localdate()
    due = stale_services(Service.objects.filter(unit__isnull=False), today).exclude(
        verification_reminded_on__gt=today - REMIND_AGAIN_AFTER
    )
    by_unit: dict[int, list[Service]] = defaultdict(list)
    for service in due.select_related("unit").order_by("name"):
        by_unit[service.unit_id].append(service)  # type: ignore[index]
    sent = 0
    for unit_id, services in by_unit.items():
        coordinators = User.objects.filter(
            unit_id=unit_id, is_active=True, role_assignments__role=Role.UNIT_COORDINATOR
        ).exclude(email="")
        for coordinator in coordinators:
            with translation.override(coordinator.language or settings.LANGUAGE_CODE):
                context = {"user": coordinator, "services": services, "unit": services[0].unit}
                subject = render_to_string(
                    "directory/email/unverified_subject.txt", context
                ).strip()
                body = render_to_string("directory/email/unverified.txt", context)
            send_mail(subject, body, None, [coordinator.email])
            sent += 1
        Service.objects.filter(pk__in=[s.pk for s in services]).update(
            verification_reminded_on=today
        )
    return sent

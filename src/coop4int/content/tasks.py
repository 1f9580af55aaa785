"""Background work of the content app. Tasks take ids (or nothing) and are safe to run twice."""

from django.utils import timezone
from django_tasks import task

from coop4int.content.domain.health_reminders import send_health_reminders


@task()
def remind_content_health() -> int:
    """E-mail each unit's content editors and coordinators what of its information needs
    attention, at most once a calendar month per unit. Returns how many e-mails went."""
    return send_health_reminders(today=timezone.localdate())

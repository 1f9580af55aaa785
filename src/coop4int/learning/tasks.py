"""Background work of the training app. Tasks take plain values and are safe to run twice."""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from coop4int.learning.domain import enrolment as enrolment_domain


@task()
def send_reminders(now: str | None = None) -> int:
    """Periodic: the reminder the day before a session's first day, once per enrolment.
    ``now`` (ISO 8601) stands for the present moment when given."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return enrolment_domain.send_due_reminders(now=moment)

"""Background work of the observatory. Tasks take plain values and are safe to run twice."""

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from coop4int.observatory.domain import platform_tables


@task()
def draft_platform_tables(now: str | None = None) -> int:
    """Periodic: once a quarter has ended, draft the platform's tables of it for an analyst to
    review (each quarter once). ``now`` (ISO 8601) stands for the present moment when given.
    Returns how many tables were drafted."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    return platform_tables.draft_due_tables(now=moment)

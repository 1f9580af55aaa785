"""Background work of the privacy app. Tasks take ids (or nothing) and are safe to run twice."""

from django.utils import timezone
from django_tasks import task

from coop4int.privacy.domain.breaches import remind_of_breaches


@task()
def remind_breaches() -> int:
    """E-mail the administrators, once per breach, when a breach is 48 hours old and the
    CNPD has not been notified. Returns how many e-mails went."""
    return remind_of_breaches(now=timezone.now())

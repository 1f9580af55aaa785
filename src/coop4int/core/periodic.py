"""Jobs that run every so often (roll the directory's opening intervals forward, remind
coordinators of stale entries). The worker checks on every heartbeat; deployments with RQ
workers run `coop4int run_periodic` from cron instead. A job is enqueued at most once per
period, whichever process asks first."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from coop4int.core.models import PeriodicRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    task: str  # dotted path of a django-tasks task taking no argument
    every: timedelta


def configured_jobs() -> list[PeriodicJob]:
    return [PeriodicJob(name, task, every) for name, task, every in settings.PERIODIC_TASKS]


def run_due(now: datetime | None = None) -> list[str]:
    """Enqueue every job whose period has passed; returns their names."""
    now = now or timezone.now()
    started = []
    for job in configured_jobs():
        try:
            # Recorded and enqueued in one transaction: a job that cannot be enqueued is not
            # marked as run, and is tried again next time.
            with transaction.atomic():
                run, created = PeriodicRun.objects.select_for_update().get_or_create(
                    name=job.name, defaults={"last_run_at": now}
                )
                if not created and now - run.last_run_at < job.every:
                    continue
                run.last_run_at = now
                run.save(update_fields=["last_run_at"])
                import_string(job.task).enqueue()
        except Exception:
            # One broken job must not stop the others.
            logger.exception("periodic job %s could not be enqueued", job.name)
            continue
        started.append(job.name)
    return started

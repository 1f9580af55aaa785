"""What /health/ reports: can we reach the database and the cache, and is a worker running?"""

from datetime import timedelta

import django_rq
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from rq import Worker

from coop4int.core.models import WorkerHeartbeat

HEARTBEAT_INTERVAL = timedelta(seconds=10)
# A worker that has not been heard of for three beats is taken to be gone.
WORKER_SILENCE = HEARTBEAT_INTERVAL * 3

OK = "ok"
DOWN = "down"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return DOWN
    return OK


def cache_status() -> str:
    key = f"coop4int:health:{get_random_string(8)}"
    try:
        cache.set(key, "1", 10)
        found = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        return DOWN
    return OK if found else DOWN


def task_backend() -> str:
    """The dotted path of the default task backend."""
    return str(settings.TASKS["default"]["BACKEND"])


def worker_status() -> str:
    backend = task_backend()
    if backend.endswith("ImmediateBackend"):
        return OK  # tasks run in the calling process; there is no worker to lose
    if backend.startswith("django_tasks_rq"):
        return _rq_worker_status()
    try:
        alive = WorkerHeartbeat.objects.filter(
            last_seen__gte=timezone.now() - WORKER_SILENCE
        ).exists()
    except Exception:
        return DOWN
    return OK if alive else DOWN


def _rq_worker_status() -> str:
    try:
        return OK if Worker.count(connection=django_rq.get_connection()) else DOWN
    except Exception:
        return DOWN


def report() -> tuple[bool, dict[str, str]]:
    checks = {
        "database": database_status(),
        "cache": cache_status(),
    }
    checks["worker"] = worker_status() if checks["database"] == OK else DOWN
    healthy = all(status != DOWN for status in checks.values())
    return healthy, checks

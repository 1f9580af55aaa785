"""/health/: the database, the cache and the task worker, as a monitor sees them."""

from datetime import timedelta

import pytest
from django.core.cache.backends.base import BaseCache
from django.utils import timezone

from coop4int.core.health import WORKER_SILENCE
from coop4int.core.models import WorkerHeartbeat

HEALTH = "/health/"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class UnreachableCache(BaseCache):
    """A cache server that cannot be reached (the outside world, not our code)."""

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)

    def _fail(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("cache server unreachable")

    add = get = set = delete = touch = clear = _fail


def _beat(age: timedelta) -> WorkerHeartbeat:
    seen = timezone.now() - age
    return WorkerHeartbeat.objects.create(
        worker_id="worker-1", hostname="app-1", pid=4242, started_at=seen, last_seen=seen
    )


def test_health_reports_every_check_ok(client, db):
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "worker": "ok"},
    }


def test_database_tasks_without_a_worker_heartbeat_is_unhealthy(client, db, settings):
    settings.TASKS = DATABASE_TASKS

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["worker"] == "down"


def test_database_tasks_with_a_fresh_heartbeat_is_healthy(client, db, settings):
    settings.TASKS = DATABASE_TASKS
    _beat(timedelta(seconds=2))

    response = client.get(HEALTH)

    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "ok"


def test_stale_worker_heartbeat_is_unhealthy(client, db, settings):
    settings.TASKS = DATABASE_TASKS
    _beat(WORKER_SILENCE + timedelta(seconds=5))

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "down"


def test_unreachable_cache_is_unhealthy(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down", "worker": "ok"}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_answers_only_get(client, db, method):
    assert getattr(client, method)(HEALTH).status_code == 405

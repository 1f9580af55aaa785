"""Rate limits hold across processes: counted in the shared cache (the database's, or Redis),
no use lost when two processes count at once, the window fixed from the first use."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from coop4int.content.models import Feedback
from coop4int.core.rate_limits import RateLimit, hit, used

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "coop4int_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}
CLIENT = "203.0.113.9"


def _fake_clock(name: str) -> bool:
    """Whether the environment variable ``name`` is faketime's (LD_PRELOAD, FAKETIME…)."""
    return name == "LD_PRELOAD" or name.startswith(("FAKETIME", "DONT_FAKE"))


MESSAGE = {"page": "/en/", "message": "The opening hours of Mindelo are wrong."}

# Another process of the platform: the same code, the same database and cache, nothing shared
# in memory with this one.
SEND_FEEDBACK = f"""
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
statuses = [
    client.post("/en/feedback/", {MESSAGE!r}, REMOTE_ADDR={CLIENT!r}).status_code
    for _ in range(int(sys.argv[1]))
]
print(json.dumps(statuses))
"""
COUNT = """
import sys, time
import django
django.setup()
from coop4int.core.rate_limits import hit
from django.db import connection
connection.ensure_connection()
while time.time() < float(sys.argv[2]):  # both start together
    time.sleep(0.005)
for _ in range(int(sys.argv[1])):
    hit("test:concurrent", 3600)
"""


def _database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = quote(database["USER"] or "")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"])
    host = database["HOST"] or "localhost"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{database['NAME']}"


@pytest.fixture
def other_process(tmp_path, settings) -> dict[str, str]:
    """The environment of another process of the platform on this test's database."""
    settings.CACHES = DATABASE_CACHE
    return {
        # On this process's clock, moved by faketime or not (CI runs the suite both ways).
        **{name: value for name, value in os.environ.items() if _fake_clock(name)},
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "coop4int.settings",
        "COOP4INT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        "CACHE_URL": "dbcache://coop4int_cache",
        "TASKS_URL": "immediate",
        "EMAIL_URL": "memorymail://",
    }


def _run(environment: dict[str, str], script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    return stdout


@pytest.mark.django_db(transaction=True)
def test_a_limit_of_five_holds_across_processes(other_process, client):
    first = _output(_run(other_process, SEND_FEEDBACK, "3"))
    second = _output(_run(other_process, SEND_FEEDBACK, "3"))

    assert first.splitlines()[-1] == "[302, 302, 302]"
    assert second.splitlines()[-1] == "[302, 302, 429]"
    # And this process, a third, counts with them.
    assert client.post("/en/feedback/", MESSAGE, REMOTE_ADDR=CLIENT).status_code == 429
    assert Feedback.objects.count() == 5
    # Another client is not held back by it.
    assert client.post("/en/feedback/", MESSAGE, REMOTE_ADDR="198.51.100.1").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_processes_counting_at_once_lose_no_use(other_process):
    start = str(time.time() + 8)  # once both have started
    processes = [_run(other_process, COUNT, "60", start) for _ in range(2)]
    for process in processes:
        _output(process)
    assert used("test:concurrent") == 120


@pytest.mark.django_db
def test_the_window_starts_with_the_first_use_and_does_not_slide(settings):
    settings.CACHES = DATABASE_CACHE
    limit = RateLimit("test", limit=2, window=3600)
    request = RequestFactory().post("/", REMOTE_ADDR=CLIENT)
    with time_machine.travel(datetime(2030, 5, 1, 9, 0, tzinfo=UTC), tick=False) as clock:
        limit.count(request)
        clock.shift(timedelta(minutes=50))
        limit.count(request)
        assert limit.exceeded(request)
        clock.shift(timedelta(minutes=9))
        assert limit.exceeded(request)  # 59 minutes after the first use
        clock.shift(timedelta(minutes=2))
        assert not limit.exceeded(request)  # an hour after the first, not after the last
        assert hit(limit.key(request), limit.window) == 1


@pytest.mark.django_db
def test_only_a_hash_of_the_address_is_kept(settings):
    settings.CACHES = DATABASE_CACHE
    request = RequestFactory().post("/", REMOTE_ADDR=CLIENT)
    limit = RateLimit("test")
    limit.count(request)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM coop4int_cache")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert CLIENT not in str(rows)
    assert rows[0][0].endswith(limit.key(request))


# --- Redis -------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of this test's own, on loopback, keeping nothing on disk."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    port = _free_port()
    # On the real clock: Redis does not start under faketime (CI runs the suite so too), and
    # needs no clock of ours — its expiries are relative.
    environment = {name: value for name, value in os.environ.items() if not _fake_clock(name)}
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _attempt in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the Redis server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_a_use_is_one_increment_and_the_window_its_expiry(redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    limit = RateLimit("test", limit=3, window=600)
    request = RequestFactory().post("/", REMOTE_ADDR=CLIENT)
    for _ in range(3):
        assert not limit.exceeded(request)
        limit.count(request)
    assert limit.exceeded(request)

    backend = caches["default"]
    key = backend.make_and_validate_key(limit.key(request))
    redis = backend._cache.get_client(key)  # type: ignore[attr-defined]
    assert int(redis.get(key)) == 3
    assert 0 < redis.ttl(key) <= 600
    # The same address from another client of the same Redis is still held back.
    assert RateLimit("test", limit=3, window=600).exceeded(request)


def test_redis_cache_url_uses_djangos_own_redis_backend(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "COOP4INT_DATA_DIR": str(tmp_path),
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import coop4int.settings as s; print(s.CACHES['default'])"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'BACKEND': 'django.core.cache.backends.redis.RedisCache'" in result.stdout
    assert "'LOCATION': 'redis://127.0.0.1:6379/1'" in result.stdout


def test_the_default_cache_is_the_databases(tmp_path):
    environment = {"PATH": os.environ.get("PATH", ""), "COOP4INT_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import coop4int.settings as s; print(s.CACHES['default'])"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(DATABASE_CACHE["default"])

"""Production settings pass Django's deployment checks; every response carries the security
headers; the database is set up for concurrent use."""

import base64
import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.utils.crypto import get_random_string

SECRET_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    # A clean environment, as on a server: not the test run's (DJANGO_ALLOW_ASYNC_UNSAFE…).
    return {
        "PATH": os.environ.get("PATH", ""),
        "DEBUG": "0",
        "SECRET_KEY": get_random_string(60, SECRET_CHARACTERS),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "CREDENTIAL_SIGNING_KEYS": "base64url:"
        + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
        "ALLOWED_HOSTS": "coop4int.example.org",
        "COOP4INT_DATA_DIR": str(tmp_path),
    }


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deployment_checks(production_env):
    result = _run(production_env, "-m", "coop4int", "check", "--deploy")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def test_production_cookies_are_secure_and_bound_to_the_host(production_env):
    script = (
        "import json, coop4int.settings as s; print(json.dumps({name: getattr(s, name) for name in "
        "['SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT']}))"
    )
    result = _run(production_env, "-c", script)
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
    }


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("path", ["/staff/login/", "/health/"])
def test_responses_carry_the_security_headers(client, db, path):
    response = client.get(path)

    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert len(response.headers["X-Request-ID"]) >= 8


def test_request_id_is_new_for_each_request_and_never_the_clients(client, db):
    first = client.get("/health/").headers["X-Request-ID"]
    second = client.get("/health/").headers["X-Request-ID"]
    sent = client.get("/health/", headers={"X-Request-ID": "proxy-abc-12345"})

    assert first != second
    assert sent.headers["X-Request-ID"] != "proxy-abc-12345"
    assert len(sent.headers["X-Request-ID"]) == 32


def test_sqlite_database_uses_wal_and_waits_when_busy(db, tmp_path):
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"
        return
    # The test database may live in memory, where WAL does not exist: open a file database
    # with the same connection options as the real one.
    file_database = SQLiteDatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "coop4int.sqlite3")}, alias="wal"
    )
    try:
        with file_database.cursor() as cursor:
            journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    finally:
        file_database.close()
    assert journal_mode == "wal"
    assert busy_timeout >= 5000

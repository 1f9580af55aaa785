"""The deployment examples stay true to the platform: docs/deploy.md and deploy/coop4int.env
describe every variable the settings read, the example environment passes Django's deployment
checks, and nginx lets through what the platform accepts."""

import re
import secrets
import shlex
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings

from coop4int.core.files import MAX_BYTES
from coop4int.core.management.commands.serve import Command
from tests.deployment.processes import REPO

pytestmark = pytest.mark.deployment

SETTINGS = REPO / "src" / "coop4int" / "settings.py"
GUIDE = REPO / "docs" / "deploy.md"
ENV_FILE = REPO / "deploy" / "coop4int.env"
NGINX = REPO / "deploy" / "nginx" / "coop4int.conf"
SYSTEMD = REPO / "deploy" / "systemd"


def _variables_read_by_settings() -> set[str]:
    found = set(re.findall(r'\benv\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS.read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "MEDIA_STORAGE_URL"} <= found  # the pattern still works
    return found


def _example_environment() -> dict[str, str]:
    """deploy/coop4int.env as systemd (or `set -a; . file`) reads it: the lines set, not the
    ones commented out."""
    values = {}
    for line in ENV_FILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            (assignment,) = shlex.split(line)
            name, _, value = assignment.partition("=")
            values[name] = value
    return values


def test_every_variable_the_settings_read_is_described_for_deployment():
    guide = GUIDE.read_text()
    env_file = ENV_FILE.read_text()
    variables = _variables_read_by_settings()

    assert sorted(name for name in variables if f"`{name}`" not in guide) == []
    assert sorted(name for name in variables if not re.search(rf"\b{name}=", env_file)) == []


def test_the_example_environment_passes_the_deployment_checks(tmp_path):
    env = _example_environment()
    assert env["DEBUG"] == "0"
    # Its placeholders filled in as an operator would: only secrets are left to write.
    placeholders = sorted(name for name, value in env.items() if "change-me" in value)
    assert placeholders == ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                            "CREDENTIAL_SIGNING_KEYS", "DATABASE_URL", "EMAIL_URL",
                            "FIELD_ENCRYPTION_KEYS", "SECRET_KEY"]  # fmt: skip
    credential_key = tmp_path / "credential-key.pem"
    credential_key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    env |= {
        "CREDENTIAL_SIGNING_KEYS": str(credential_key),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": "smtp+tls://coop4int:secret@mail.example.org:587",
        "AWS_ACCESS_KEY_ID": "key",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "COOP4INT_DATA_DIR": str(tmp_path),
        "ERASURE_JOURNAL": str(tmp_path / "erasure-journal.jsonl"),
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "import django, json; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.STORAGES['default']['BACKEND'], "
        "settings.CACHES['default']['BACKEND'], settings.TASKS['default']['BACKEND']]))"
    )
    checked = subprocess.run(
        [sys.executable, "-m", "coop4int", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    backends = subprocess.run(
        [sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "coop4int.settings"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert backends.returncode == 0, backends.stderr
    assert backends.stdout.strip() == (
        '["storages.backends.s3.S3Storage", "django.core.cache.backends.redis.RedisCache", '
        '"django_tasks_rq.RQBackend"]'
    )


def _nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 2**10, "m": 2**20}[unit.lower()]


def test_nginx_takes_the_largest_upload_the_platform_accepts_and_not_much_more():
    site = NGINX.read_text()
    cap, observatory_cap = re.findall(r"^\s*client_max_body_size\s+(\S+);", site, re.MULTILINE)

    # A 10 MB file with its form fits; a body far beyond what the platform keeps never
    # reaches an app server.
    assert MAX_BYTES + 256 * 2**10 <= _nginx_size(cap) <= MAX_BYTES + 4 * 2**20
    # The observatory's pages take the largest table or study an analyst may upload.
    largest = max(settings.OBSERVATORY_UPLOAD_MAX_MB, settings.OBSERVATORY_STUDY_MAX_MB) * 2**20
    assert largest + 256 * 2**10 <= _nginx_size(observatory_cap) <= largest + 4 * 2**20
    assert "location /staff/observatory/ {" in site


def test_nginx_hands_on_the_address_and_scheme_and_reaches_both_app_servers():
    site = NGINX.read_text()
    headers = dict(re.findall(r"^\s*proxy_set_header\s+(\S+)\s+(.+?);", site, re.MULTILINE))

    assert headers["X-Forwarded-For"] == "$remote_addr"  # replaced: a client's own is dropped
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    upstream = re.search(r"upstream coop4int \{(.*?)\}", site, re.DOTALL)
    assert upstream
    assert len(re.findall(r"^\s*server\s", upstream.group(1), re.MULTILINE)) == 2
    for directive in ("proxy_connect_timeout", "proxy_read_timeout", "client_body_timeout"):
        assert re.search(rf"^\s*{directive}\s+\d+s;", site, re.MULTILINE), directive
    # Uploaded files are served by the platform's views only.
    assert "/media" not in site


def test_the_systemd_units_run_the_documented_layout():
    web = (SYSTEMD / "coop4int-web@.service").read_text()
    worker = (SYSTEMD / "coop4int-worker.service").read_text()
    periodic = (SYSTEMD / "coop4int-periodic.service").read_text()
    timer = (SYSTEMD / "coop4int-periodic.timer").read_text()

    assert re.search(r"^ExecStart=\S+/coop4int serve --no-worker .*--port %i", web, re.M)
    # The worker `coop4int serve` would start beside gunicorn, in a unit of its own.
    rq_worker = " ".join(Command.worker_command("django_tasks_rq.RQBackend")[3:])
    assert re.search(rf"^ExecStart=\S+/coop4int {re.escape(rq_worker)}$", worker, re.M)
    assert re.search(r"^ExecStart=\S+/coop4int run_periodic$", periodic, re.M)
    assert "Type=oneshot" in periodic
    assert "OnCalendar=" in timer
    for unit in (web, worker, periodic):
        assert "EnvironmentFile=/etc/coop4int/coop4int.env" in unit
        assert "User=coop4int" in unit

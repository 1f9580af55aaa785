"""`coop4int serve` runs the production web server and the task worker together."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())
    except OSError:
        return None


@pytest.fixture
def environment(tmp_path):
    env = {
        **os.environ,
        "COOP4INT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "TASKS_URL": "database",
    }
    subprocess.run(
        [sys.executable, "-m", "coop4int", "migrate", "--noinput", "--verbosity", "0"],
        env=env,
        check=True,
    )
    return env


def test_serve_answers_health_with_its_worker_alive_and_stops_both(environment):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 40
        answer = None
        while time.monotonic() < deadline:
            answer = _health(port)
            if answer and answer[1]["checks"]["worker"] == "ok":
                break
            time.sleep(0.5)
        assert answer is not None, "the web server never answered"
        status, body = answer
        assert status == 200
        assert body["checks"] == {"database": "ok", "cache": "ok", "worker": "ok"}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert _health(port) is None


def test_health_reports_the_worker_down_when_serve_runs_without_it(environment):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--no-worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        answer = None
        while answer is None and time.monotonic() < deadline:
            answer = _health(port)
            time.sleep(0.3)
        assert answer is not None
        status, body = answer
        assert status == 503
        assert body["checks"]["worker"] == "down"
        assert body["status"] == "error"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

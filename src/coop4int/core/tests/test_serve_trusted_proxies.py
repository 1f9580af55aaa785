"""`coop4int serve` tells gunicorn to believe forwarded headers from the same proxies as the
application does (settings.TRUSTED_PROXIES)."""

import signal
import subprocess

from django.core.management import call_command


class _Started:
    """A process that has already ended: what ``serve`` is given instead of starting one."""

    returncode = 0

    def __init__(self, command: list[str], started: list[list[str]]) -> None:
        started.append(command)

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


def test_gunicorn_trusts_the_configured_proxies(settings, monkeypatch):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1", "::1"]
    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, **_: _Started(command, started))

    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("serve", "--no-worker", "--port", "8123")
    finally:  # serve takes over SIGTERM and SIGINT: give them back to the test run
        for number, handler in handlers.items():
            signal.signal(number, handler)

    [web] = started
    assert web[web.index("--forwarded-allow-ips") + 1] == "10.0.0.0/8,127.0.0.1,::1"

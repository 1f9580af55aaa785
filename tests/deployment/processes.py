"""Running the platform as a deployment runs it: `coop4int` processes with an environment of
their own, reached over HTTP on loopback, and stopped whatever happens to the test."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """The DATABASE_URL of a Django database, for another process to open the same one."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    credentials = quote(settings_dict.get("USER") or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def coop4int(*args: str) -> list[str]:
    return [sys.executable, "-m", "coop4int", *args]


def run(env: Mapping[str, str], command: list[str], timeout: float = 120) -> str:
    """Run ``command`` to its end in ``env`` from the repository; its output, or a failure
    that shows what it printed."""
    result = subprocess.run(
        command, env=dict(env), cwd=REPO, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


class Processes:
    """The long-running processes of one test, each writing to its own log, each in its own
    process group so that stopping it stops what it started (gunicorn's workers, RQ's)."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, env: Mapping[str, str], command: list[str]) -> None:
        # A runtime directory of its own, as systemd's RuntimeDirectory= gives each unit:
        # gunicorn puts its control socket there rather than in the shared home directory.
        runtime = self.log_dir / f"{name}.run"
        runtime.mkdir(mode=0o700)
        with (self.log_dir / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command, env={**env, "XDG_RUNTIME_DIR": str(runtime)}, cwd=REPO, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.started.append((name, process))

    def check_running(self) -> None:
        for name, process in self.started:
            assert process.poll() is None, f"{name} stopped (exit {process.returncode}):\n" + (
                self.log(name)
            )

    def log(self, name: str, last: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-last:] if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- {name}\n{self.log(name, 1500)}" for name, _ in self.started)

    def stop_all(self) -> None:
        """SIGTERM to every group (a graceful stop, as systemd does), then SIGKILL to any that
        is still there after a while."""
        for _name, process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_until(
    condition: Callable[[], Any], *, seconds: float, what: str, on_failure: Callable[[], str]
) -> Any:
    """Poll ``condition`` until it returns something true; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what} after {seconds:.0f} s\n{on_failure()}")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    """One person's browser behind the reverse proxy: one set of cookies whichever app server
    answers, and the headers the proxy sets (deploy/nginx/coop4int.conf): the public host
    name, the scheme (HTTPS) and the person's address. Redirects are not followed, so that
    tests see them."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, fields: Mapping[str, str] | None = None
    ) -> Response:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "en",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(fields or {}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form; Django's CSRF check wants it over HTTPS.
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(
                answer.status, answer.headers, answer.read().decode("utf-8", "replace")
            )
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def submit(
        self, port: int, path: str, fields: Mapping[str, str], *, form_page: str | None = None
    ) -> Response:
        """Open the page with the form (``path`` itself unless ``form_page``), then send the
        form to ``path`` with ``fields`` and the page's CSRF token."""
        page = self.get(port, form_page or path)
        token = CSRF_FIELD.search(page.text)
        assert token, f"no form at {form_page or path} (HTTP {page.status})"
        return self.post(port, path, {"csrfmiddlewaretoken": token.group(1), **fields})

    def post(self, port: int, path: str, fields: Mapping[str, str]) -> Response:
        return self.request(port, "POST", path, fields)


def health(port: int, host: str) -> dict[str, Any] | None:
    """What /health/ answers on ``port`` (as through the proxy), with its HTTP status as
    ``http_status``; None while nothing answers."""
    try:
        answer = Visitor(host, "127.0.0.1").get(port, "/health/")
    except OSError:
        return None
    try:
        return {**json.loads(answer.text), "http_status": answer.status}
    except ValueError:
        return {"http_status": answer.status}


class MailCollector:
    """An SMTP server's handler (aiosmtpd) that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

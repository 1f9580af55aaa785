"""No secret reaches a log: tracking links, password-reset tokens, webhook signatures and
session ids are masked in Django's log lines (every handler of settings.LOGGING) and in
gunicorn's access log, as `coop4int serve` starts it."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from gunicorn.config import Config

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.channels.providers import twilio_signature
from coop4int.core.log_redaction import (
    REDACTED,
    RedactingFilter,
    RedactingGunicornLogger,
    redact,
)

SECRET = "Zq7mPw4xLr-s3cr3tTrack1ngL1nk_0"
TOKEN = "cl2x9a-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
SESSION = "k2v9q8w7e6r5t4y3u2i1o0p9a8s7d6f5"


# --- The patterns -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "kept", "hidden"),
    [
        (f"GET /pt/follow/K7MX-4QF9/{SECRET}/ HTTP/1.1", "/pt/follow/K7MX-4QF9/", SECRET),
        (f"Not Found: /kea/follow/K7MX-4QF9/{SECRET}/card/", "/card/", SECRET),
        (f"https://coop4int.cv/fr/follow/K7MX-4QF9/{SECRET}", "https://coop4int.cv/fr/", SECRET),
        (f"GET /staff/password-reset/MQ/{TOKEN}/ HTTP/1.1", "/staff/password-reset/MQ/", TOKEN),
        (
            f"GET /fr/appointments/K7MX-4QF9/{SECRET}/ HTTP/1.1",
            "/fr/appointments/K7MX-4QF9/",
            SECRET,
        ),
        (
            f"GET /pt/appointments/K7MX-4QF9/{SECRET}/appointment.ics HTTP/1.1",
            "/appointment.ics",
            SECRET,
        ),
        (f"Not Found: /kea/queue/ticket/412/{SECRET}/", "/kea/queue/ticket/412/", SECRET),
        (f"GET /staff/login/?next=/x&token={TOKEN}", "/staff/login/?next=/x&token=", TOKEN),
        (f"Cookie: __Host-sessionid={SESSION}; csrftoken=abc", "Cookie: ", SESSION),
        (f"sessionid={SESSION}; Path=/", "sessionid=", SESSION),
        (f"{{'HTTP_X_TWILIO_SIGNATURE': '{SIGNATURE}', 'A': 1}}", "'A': 1", SIGNATURE),
        (f"X-Twilio-Signature: {SIGNATURE}", "X-Twilio-Signature: ", SIGNATURE),
        (f"{{'Authorization': 'Basic {SESSION}'}}", "'Authorization': '", SESSION),
    ],
)
def test_a_secret_in_a_line_is_masked_and_the_rest_kept(line, kept, hidden):
    masked = redact(line)

    assert hidden not in masked
    assert REDACTED in masked
    assert kept in masked


@pytest.mark.parametrize(
    "line",
    [
        "GET /staff/password-reset/MQ/set-password/ HTTP/1.1",
        "GET /staff/password-reset/sent/ HTTP/1.1",
        "GET /pt/directory/?q=follow HTTP/1.1",
        "GET /pt/follow/ HTTP/1.1",
        "GET /fr/appointments/ HTTP/1.1",
        "GET /fr/appointments/service/3f2a9c1e-0000-4000-8000-000000000001/ HTTP/1.1",
        "GET /pt/queue/display/3f2a9c1e-0000-4000-8000-000000000001/ HTTP/1.1",
        "case K7MX-4QF9 opened",
    ],
)
def test_a_line_without_a_secret_is_left_as_it_is(line):
    assert redact(line) == line


def test_every_handler_in_the_settings_masks_secrets():
    handlers = django_settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "redact_secrets" in handler.get("filters", []), name
    for logger in _loggers():
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest") or isinstance(
                handler, logging.NullHandler
            ):
                continue
            assert any(isinstance(f, RedactingFilter) for f in handler.filters), (
                f"{logger.name}: {handler!r}"
            )


def _loggers() -> list[logging.Logger]:
    named = logging.root.manager.loggerDict.values()
    return [logging.root, *(logger for logger in named if isinstance(logger, logging.Logger))]


def test_an_exception_text_is_masked_too(captured):
    try:
        raise ValueError(f"no case at /pt/follow/K7MX-4QF9/{SECRET}/")
    except ValueError:
        logging.getLogger("coop4int.test").exception("failed")

    assert "ValueError: no case at /pt/follow/K7MX-4QF9/[redacted]/" in captured.getvalue()
    assert SECRET not in captured.getvalue()


# --- The flows that carry secrets, logged at DEBUG through the configured handlers ----------------


@pytest.fixture
def captured() -> Iterator[StringIO]:
    """What the handlers of settings.LOGGING write, with every logger at DEBUG."""
    stream = StringIO()
    handlers = [
        handler
        for handler in logging.root.handlers
        if any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING gives the root logger no handler"
    streams = [handler.setStream(stream) for handler in handlers]  # type: ignore[attr-defined]
    loggers = [logging.root, *(logging.getLogger(n) for n in ("django", "coop4int", "axes"))]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        for handler, old in zip(handlers, streams, strict=True):
            handler.setStream(old)  # type: ignore[attr-defined]


def test_no_secret_of_the_flows_that_carry_one_reaches_the_log(
    captured, unit, make_staff, login_verified, settings
):
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_ACCOUNT_SID = "AC0001"
    settings.MESSAGING_PROVIDER = "twilio"
    public = Client(headers={"accept-language": "en"})
    secrets: list[str] = []

    # A person follows their request, keeps its card, and mistypes the link once (a 404).
    case, secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto")
    # A mistyped last character: one that differs from the real one, whatever it was.
    secrets += [secret, secret[:-1] + ("R" if secret.endswith("Q") else "Q")]
    assert public.get(f"/en/follow/{case.reference}/{secret}/").status_code == 200
    assert public.get(f"/en/follow/{case.reference}/{secret}/card/").status_code == 200
    assert public.get(f"/en/follow/{case.reference}/{secrets[1]}/").status_code == 404
    assert public.get(f"/en/follow/{case.reference}/{secret}/nothing/").status_code == 404

    # A staff member opens a password-reset link (and a wrong address under it: a 404).
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    token = default_token_generator.make_token(officer)
    secrets.append(token)
    opened = public.get(f"/staff/password-reset/{uid}/{token}/", follow=True)
    assert opened.context["validlink"]
    assert public.get(f"/staff/password-reset/{uid}/{token}/x/").status_code == 404

    # The gateway posts signed messages, one with a signature that does not match.
    form = {"MessageSid": "SM" + "1" * 32, "AccountSid": "AC0001", "From": "+2389912345",
            "To": "+2382601010", "Body": "Bom dia", "NumMedia": "0"}  # fmt: skip
    url = "http://testserver/hooks/messaging/twilio/"
    signature = twilio_signature("test-auth-token", url, {k: [v] for k, v in form.items()})
    secrets += [signature, SIGNATURE]
    for given, status in ((signature, 200), (SIGNATURE, 403)):
        answer = public.post(
            "/hooks/messaging/twilio/",
            data=urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": given},
        )
        assert answer.status_code == status

    # A logged-in session, and code that logs a whole request's headers.
    staff = login_verified(Client(), officer)
    session_key = staff.session.session_key
    secrets.append(session_key)
    assert staff.get("/staff/nothing-here/").status_code == 404
    request = RequestFactory().get(
        f"/en/follow/{case.reference}/{secret}/",
        headers={"Cookie": f"sessionid={session_key}", "X-Twilio-Signature": signature,
                 "Referer": f"http://testserver/staff/password-reset/{uid}/{token}/"},
    )  # fmt: skip
    logging.getLogger("coop4int.test").debug("request %s: %r", request, request.META)
    logging.getLogger("coop4int.test").debug("headers: %s", dict(request.headers))

    lines = captured.getvalue().splitlines()
    assert any(f"Not Found: /en/follow/{case.reference}/{REDACTED}/" in line for line in lines)
    assert any(f"/staff/password-reset/{uid}/{REDACTED}/x/" in line for line in lines)
    assert any("refused twilio webhook" in line for line in lines)
    for line in lines:
        for value in secrets:
            assert value not in line, line


# --- gunicorn's access log --------------------------------------------------------------------


@pytest.fixture
def gunicorn_logger() -> Iterator[tuple[RedactingGunicornLogger, StringIO]]:
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s "%({cookie}i)s" "%({x-twilio-signature}i)s" '
        '"%({set-cookie}o)s" "%({http_cookie}e)s"',
    )
    gunicorn = RedactingGunicornLogger(config)
    stream = StringIO()
    for handler in gunicorn.access_log.handlers:
        handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield gunicorn, stream
    finally:
        for log in (gunicorn.access_log, gunicorn.error_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)


def test_the_access_log_masks_paths_referers_and_secret_headers(gunicorn_logger):
    gunicorn, stream = gunicorn_logger
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/pt/follow/K7MX-4QF9/{SECRET}/?token={TOKEN}",
        "PATH_INFO": f"/pt/follow/K7MX-4QF9/{SECRET}/",
        "QUERY_STRING": f"token={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"https://coop4int.cv/staff/password-reset/MQ/{TOKEN}/",
        "HTTP_COOKIE": f"sessionid={SESSION}",
    }
    request = SimpleNamespace(
        headers=[("COOKIE", f"sessionid={SESSION}"), ("X-TWILIO-SIGNATURE", SIGNATURE)]
    )
    response = SimpleNamespace(
        status="200 OK", sent=512, headers=[("Set-Cookie", f"sessionid={SESSION}; Path=/")]
    )

    gunicorn.access(response, request, environ, timedelta(milliseconds=12))

    line = stream.getvalue()
    assert 'GET /pt/follow/K7MX-4QF9/[redacted]/?token=[redacted] HTTP/1.1" 200' in line
    assert "/staff/password-reset/MQ/[redacted]/" in line
    for value in (SECRET, TOKEN, SIGNATURE, SESSION):
        assert value not in line


def test_the_error_log_of_gunicorn_masks_secrets(gunicorn_logger):
    gunicorn, _access = gunicorn_logger
    stream = StringIO()
    for handler in gunicorn.error_log.handlers:
        handler.setStream(stream)  # type: ignore[attr-defined]

    gunicorn.error("Error handling request /pt/follow/K7MX-4QF9/%s/", SECRET)

    assert "/pt/follow/K7MX-4QF9/[redacted]/" in stream.getvalue()
    assert SECRET not in stream.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            answer.read()
    except urllib.error.HTTPError as error:
        with error:
            error.read()


def test_serve_writes_its_access_log_without_the_secrets(tmp_path):
    """The real thing: `coop4int serve` starts gunicorn with the redacting logger; whatever
    the pages answer (this database is empty), each request is logged without its secret."""
    port = _free_port()
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    env = {
        **os.environ,
        "COOP4INT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "CACHE_URL": "locmemcache://serve",
    }
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "coop4int", "serve", "--port", str(port), "--workers", "1",
             "--no-worker"],
            env=env, stdout=stdout, stderr=stderr, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.3)
            else:
                pytest.fail("gunicorn never listened")
            referer = f"http://127.0.0.1:{port}/pt/follow/K7MX-4QF9/{SECRET}/card/"
            _get(port, f"/pt/follow/K7MX-4QF9/{SECRET}/", {"Referer": referer})
            _get(port, f"/staff/password-reset/MQ/{TOKEN}/", {"Cookie": f"sessionid={SESSION}"})
            _get(port, f"/hooks/messaging/twilio/?token={TOKEN}", {"X-Twilio-Signature": SIGNATURE})
            time.sleep(1)  # let the worker flush its lines
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    logged = out.read_text() + err.read_text()
    assert '"GET /pt/follow/K7MX-4QF9/[redacted]/ HTTP/1.1"' in logged
    assert "/staff/password-reset/MQ/[redacted]/" in logged
    assert '"http://127.0.0.1:' in logged  # the Referer is logged, masked
    for value in (SECRET, TOKEN, SIGNATURE, SESSION):
        assert value not in logged

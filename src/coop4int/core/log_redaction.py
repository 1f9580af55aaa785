"""Secrets never reach a log line.

Some addresses carry a secret: a person's tracking link (``/<lang>/follow/<reference>/<secret>/``),
an appointment's link (``/<lang>/appointments/<reference>/<secret>/``), a waiting-room ticket's
link (``/<lang>/queue/ticket/<id>/<secret>/``) and a password-reset link
(``/staff/password-reset/<uid>/<token>/``). Some headers are secrets:
the session cookie, ``Authorization``, the gateway's ``X-Twilio-Signature``. Whoever logs them —
gunicorn's access log (the request line and the Referer), Django's ``django.request`` ("Not
Found: <path>"), an exception's text — writes the line through one of two doors, both here:

- ``RedactingFilter``, on every handler of ``settings.LOGGING``;
- ``RedactingGunicornLogger``, the logger class ``coop4int serve`` gives gunicorn.

The secret part is replaced by ``[redacted]``; what is not secret (the reference, the account's
uid) is kept, so a line still says which request it was.
"""

import logging
import re
import traceback
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"

# Headers whose whole value is a secret (lower case, as gunicorn names its atoms).
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-csrftoken",
        "x-twilio-signature",
    }
)
# The same headers as WSGI names them (``HTTP_COOKIE``…), for gunicorn's ``{…}e`` atoms.
_SECRET_ENVIRON = frozenset("http_" + name.replace("-", "_") for name in SECRET_HEADERS)

# An address segment, a query value or a header value ends at one of these.
_END = r"/?#&;,\s\"'<>\\"

# (pattern, replacement): each keeps what names the secret and drops the secret itself.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # The tracking link: /<lang>/follow/<reference>/<secret>/… — the secret is the segment after
    # the reference, and whatever a person typed there (a 404 on a mistyped link logs it too).
    (re.compile(rf"(/follow/[^{_END}]+/)[^{_END}]+", re.IGNORECASE), rf"\g<1>{REDACTED}"),
    # An appointment's link: /<lang>/appointments/<reference>/<secret>/… — anchored on the
    # reference's form (four and four characters), so the booking steps' addresses stay whole.
    (
        re.compile(rf"(/appointments/[0-9A-Z]{{4}}-[0-9A-Z]{{4}}/)[^{_END}]+", re.IGNORECASE),
        rf"\g<1>{REDACTED}",
    ),
    # A waiting-room ticket's link: /<lang>/queue/ticket/<id>/<secret>/.
    (re.compile(rf"(/queue/ticket/[^{_END}]+/)[^{_END}]+"), rf"\g<1>{REDACTED}"),
    # The password-reset link: /password-reset/<uidb64>/<token>/; Django then moves the token
    # into the session and redirects to …/<uidb64>/set-password/, which holds no secret.
    (
        re.compile(rf"(/password-reset/[^{_END}]+/)(?!set-password(?:[{_END}]|$))[^{_END}]+"),
        rf"\g<1>{REDACTED}",
    ),
    # Query parameters and cookies named like a secret: ?token=…, sessionid=…, __Host-csrftoken=…
    (
        re.compile(
            r"((?:^|[?&;\s\"'])(?:[\w-]*sessionid|[\w-]*csrftoken|csrfmiddlewaretoken|token"
            r"|secret|signature|password|api_key|access_token|auth_token)=)"
            rf"[^{_END}]+",
            re.IGNORECASE,
        ),
        rf"\g<1>{REDACTED}",
    ),
    # A secret header written out with its value: "X-Twilio-Signature: …", "'HTTP_COOKIE': '…'",
    # "Authorization=Basic …" (the rest of the line or of the quoted value).
    (
        re.compile(
            r"((?:HTTP_)?(?:proxy[-_])?(?:authorization|cookie|set[-_]cookie|x[-_]csrftoken"
            r"|x[-_]twilio[-_]signature)[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n]+",
            re.IGNORECASE,
        ),
        rf"\g<1>{REDACTED}",
    ),
)


def redact(text: str) -> str:
    """``text`` with every secret it holds replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, exception text and stack in place, before any handler
    formats it. Always lets the record through: a line with its secret masked is still worth
    having. Attached to every handler in ``settings.LOGGING``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger with secrets masked: the access log's atoms (request line, path, query,
    Referer, and any header or environ value a format may name) and, through
    ``RedactingFilter``, every line of its error log (which may quote a request)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            _add_filter(log.handlers)

    def atoms(
        self, resp: Any, req: Any, environ: Mapping[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if not isinstance(value, str):
                continue
            if _names_a_secret(name):
                atoms[name] = REDACTED
            else:
                atoms[name] = redact(value)
        return atoms


def _names_a_secret(atom: str) -> bool:
    """``{cookie}i``, ``{x-twilio-signature}i``, ``{set-cookie}o``, ``{http_cookie}e``…"""
    if not (atom.startswith("{") and atom[-2:] in ("}i", "}o", "}e")):
        return False
    name = atom[1:-2].lower()
    return name in SECRET_HEADERS or name in _SECRET_ENVIRON


def _add_filter(handlers: Iterable[logging.Handler]) -> None:
    for handler in handlers:
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(RedactingFilter())


__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "RedactingFilter",
    "RedactingGunicornLogger",
    "redact",
]

"""Who is asking, from where, under which request id — for the audit log.

The middleware sets it for each request; background tasks run without one. Domain functions
never take a request: the audit log reads this context instead.
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""


_NONE = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("coop4int_request", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    """Keep a well-formed id handed on by a proxy, otherwise make one."""
    if incoming and _REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> RequestContext:
    return _current.get() or _NONE


def activate(context: RequestContext) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]

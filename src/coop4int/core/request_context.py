"""Who is asking, from where, under which request id — for the audit log.

The middleware sets it for each request — the address is the client's, behind trusted proxies
(``core.client_address``), and the id is always made here —; background tasks run without one.
Domain functions never take a request: the audit log reads this context instead.
"""

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


def new_request_id() -> str:
    """A new id, always ours: one sent by the client would let anyone write an id of their
    choosing into the audit log, or the id of someone else's request."""
    return uuid.uuid4().hex


def current() -> RequestContext:
    return _current.get() or _NONE


def activate(context: RequestContext) -> object:
    return _current.set(context)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from coop4int.core import request_context


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and records its address for the audit
    log; adds the Permissions-Policy header that Django's SecurityMiddleware does not set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = request_context.RequestContext(
            request_id=request_context.new_request_id(request.headers.get("X-Request-ID")),
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        request.request_id = context.request_id  # type: ignore[attr-defined]
        token = request_context.activate(context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = context.request_id
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

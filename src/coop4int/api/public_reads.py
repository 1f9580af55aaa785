"""Machine addresses anyone may read (certificates, open data): GET and HEAD only, the CORS
preflight answered, every answer readable from any origin, and problems as JSON that no
cache keeps."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

READS = ("GET", "HEAD")

View = Callable[..., HttpResponseBase]


def problem(detail: str, status: int) -> HttpResponse:
    response = JsonResponse({"detail": detail}, status=status)
    patch_cache_control(response, no_cache=True)
    return response


def public_read(*, cors: Mapping[str, str]) -> Callable[[View], View]:
    """GET and HEAD only (and the CORS preflight), every answer with the ``cors`` headers."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "OPTIONS":
                response: HttpResponseBase = HttpResponse(status=204)
            elif request.method not in READS:
                response = problem(_("Method not allowed."), 405)
                response["Allow"] = "GET, HEAD, OPTIONS"
            else:
                response = view(request, *args, **kwargs)
            for header, value in cors.items():
                response[header] = value
            return response

        return wrapped

    return decorator

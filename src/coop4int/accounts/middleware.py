import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

STAFF_PREFIX = "/staff/"
# Pages a person reaches before they have proved both factors.
OPEN_STAFF_PREFIXES = ("/staff/login/", "/staff/password-reset/")

LAST_ACTIVITY = "coop4int_last_activity"
AUTHENTICATED_AT = "coop4int_authenticated_at"
# Writing the session on every request would cost a database write each time; a minute of
# slack on a 30-minute idle limit does not matter.
_ACTIVITY_RESOLUTION = 60


class SessionLifetimeMiddleware:
    """Ends a staff session after 30 minutes without a request, and 12 hours after log-in,
    whichever comes first, and tells the person why on the log-in page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY, now)
            started = request.session.get(AUTHENTICATED_AT, now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_old:
                logout(request)
                messages.warning(
                    request,
                    _("Your session ended after 30 minutes without activity. Please log in again.")
                    if idle
                    else _("Your session ended 12 hours after you logged in. Please log in again."),
                )
                if request.path.startswith(STAFF_PREFIX):
                    return _to_login(request)
            else:
                request.session.setdefault(AUTHENTICATED_AT, now)
                if now - last >= _ACTIVITY_RESOLUTION or LAST_ACTIVITY not in request.session:
                    request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class StaffVerificationMiddleware:
    """Every page under /staff/ needs a logged-in account that proved its second factor.

    What each role may do is then checked by the view (backoffice.views.StaffView)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(STAFF_PREFIX) and not path.startswith(OPEN_STAFF_PREFIXES):
            user = request.user
            if not is_verified(user):
                if user.is_authenticated:
                    logout(request)
                return _to_login(request)
        return self.get_response(request)


def is_verified(user: Any) -> bool:
    """Logged in and proved the second factor (django-otp adds ``is_verified`` to the user)."""
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def _to_login(request: HttpRequest) -> HttpResponse:
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return HttpResponseRedirect(reverse("accounts:login") + (f"?{query}" if query else ""))

"""Log-in in two steps (password, then second factor), enrolment, and the own-account page."""

import functools
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp import match_token

from coop4int.accounts.domain import authentication, password_reset
from coop4int.accounts.domain import staff as staff_domain
from coop4int.accounts.forms import (
    CountedPasswordChangeForm,
    EnrolForm,
    LoginForm,
    RecoveryCodesForm,
    TokenForm,
)
from coop4int.accounts.middleware import AUTHENTICATED_AT, LAST_ACTIVITY, is_verified
from coop4int.accounts.models import RecoveryCodeDevice, User
from coop4int.core.rate_limits import RateLimit

PENDING = "coop4int_pending_login"
PENDING_LIFETIME = 300  # seconds between the password step and the second factor
# Reset links asked from one client address (the address asked for has its own limit,
# domain.password_reset.PER_ADDRESS).
PASSWORD_RESET_PER_CLIENT = RateLimit("password_reset", limit=5, window=60 * 60)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_LIFETIME:
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this for a locked-out address and account, on whichever page counted
    the password (the log-in, the renewal of recovery codes): a 429 in the reader's language.
    A page that already answered 429 with the reason is kept; the log-in page shows its form
    with the reason; any other page gets the reason on a page of its own.

    axes' asynchronous middleware, and its retry after a TypeError, pass the credentials where
    the page's answer belongs: a mapping there is taken for the credentials."""
    if isinstance(original_response, Mapping) and credentials is None:
        original_response, credentials = None, original_response
    if isinstance(original_response, HttpResponseBase) and original_response.status_code == 429:
        return cast(HttpResponse, original_response)
    # Under ASGI axes answers outside the context the reader's language was activated in; the
    # request still says which it is.
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    with translation.override(language):
        return _locked_page(request, credentials)


def _locked_page(request: HttpRequest, credentials: Any) -> HttpResponse:
    if _is_login_page(request):
        username = credentials.get("username") if isinstance(credentials, Mapping) else None
        sent = request.POST if request.method == "POST" else {"username": username or ""}
        # The form as it was sent, cleaned: Django adds an error only to a cleaned form.
        form = LoginForm(sent)
        form.is_valid()
        return _render_locked(request, form)
    return render(request, "accounts/locked.html", {"reason": _lockout_reason()}, status=429)


def _is_login_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return bool(match.view_name == "accounts:login")


def _lockout_reason() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed attempts for this account from your address. "
        "Try again in %(minutes)d minutes, or reset your password."
    ) % {"minutes": minutes}


def _render_locked(request: HttpRequest, form: LoginForm) -> HttpResponse:
    form.add_error(None, _lockout_reason())
    return render(request, "accounts/login.html", {"form": form}, status=429)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if is_verified(request.user):
        return redirect(_safe_next(request, request.GET.get("next")))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            authentication.record_failed_login(username=username, stage="locked")
            return _render_locked(request, form)
        if user is None:
            authentication.record_failed_login(username=username, stage="password")
            form.add_error(None, _("The user name or the password is not right."))
        else:
            request.session.cycle_key()
            request.session[PENDING] = {
                "user_id": user.pk,
                "at": time.time(),
                "next": _safe_next(request, request.POST.get("next")),
            }
            if authentication.has_second_factor(user):
                return redirect("accounts:verify")
            return redirect("accounts:enrol")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _finish_login(request: HttpRequest, user: User, device: Any, method: str) -> str:
    next_url = request.session.get(PENDING, {}).get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    now = time.time()
    request.session[AUTHENTICATED_AT] = now
    request.session[LAST_ACTIVITY] = now
    request.session.save()
    authentication.record_login(
        user=user, session_key=request.session.session_key or "", second_factor=method
    )
    return str(next_url)


def _with_language_cookie(response: HttpResponse, user: User) -> HttpResponse:
    """After log-in, show the interface in the language the person chose last time."""
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


def _pending_login_required(
    view: Callable[[HttpRequest, User], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The second step needs a first step done less than five minutes ago."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        user = _pending_user(request)
        if user is None:
            messages.info(request, _("Please log in again."))
            return redirect("accounts:login")
        return view(request, user)

    return wrapper


@never_cache
@_pending_login_required
def verify_view(request: HttpRequest, user: User) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is None:
            authentication.record_failed_login(username=user.username, stage="second_factor")
            form.add_error("token", _("That code is not right, or it was already used."))
        else:
            method = "recovery_code" if isinstance(device, RecoveryCodeDevice) else "totp"
            next_url = _finish_login(request, user, device, method)
            if method == "recovery_code":
                left = authentication.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. %(count)d code is left.",
                        "You used a recovery code. %(count)d codes are left.",
                        left,
                    )
                    % {"count": left},
                )
            return _with_language_cookie(HttpResponseRedirect(next_url), user)
    return render(request, "accounts/verify.html", {"form": form})


@never_cache
@_pending_login_required
def enrol_view(request: HttpRequest, user: User) -> HttpResponse:
    if authentication.has_second_factor(user):
        return redirect("accounts:verify")
    device = authentication.pending_totp_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = authentication.enrol_second_factor(user=user, device=device)
            next_url = _finish_login(request, user, device, "totp")
            return _with_language_cookie(
                render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next_url": next_url},
                ),
                user,
            )
        form.add_error("token", _("That code is not right. Check the time on your phone."))
    qr = segno.make(device.config_url, error="m")
    secret = device.base32_key
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, title=_("QR code for your authenticator app")),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a logged-in staff member's choice is also remembered."""
    # Django translates the "next" address by resolving it in the active language; a public
    # address carries its own language (/fr/…), which must be the active one for that to work.
    next_language = get_language_from_path(request.POST.get("next", ""))
    with translation.override(next_language or translation.get_language()):
        response = set_language(request)
    language = request.POST.get("language", "")
    if is_verified(request.user) and language in dict(settings.LANGUAGES):
        staff_domain.set_interface_language(user=cast(User, request.user), language=language)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        authentication.record_logout(user=request.user, session_key=request.session.session_key)
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("accounts:login")


def _account_page(
    request: HttpRequest, recovery_form: RecoveryCodesForm, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "recovery_codes_left": authentication.remaining_recovery_codes(user),
            "recovery_form": recovery_form,
            "sessions": user.staff_sessions.order_by("-created_at"),
        },
        status=status,
    )


@never_cache
def account_view(request: HttpRequest) -> HttpResponse:
    return _account_page(request, RecoveryCodesForm(user=cast(User, request.user), request=request))


@sensitive_post_parameters("password")
@require_POST
@never_cache
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once, for the account's password typed again; a wrong one
    changes nothing and shows the account page with the reason."""
    user = cast(User, request.user)
    form = RecoveryCodesForm(request.POST, user=user, request=request)
    if not form.is_valid():
        if form.has_error("password", "wrong_password"):
            authentication.record_refused_recovery_codes(user=user)
        # 429 when locked out: django-axes then leaves this answer as it is.
        locked = form.has_error("password", "locked")
        return _account_page(request, form, status=429 if locked else 200)
    codes = authentication.regenerate_recovery_codes(user=user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next_url": reverse("accounts:account")},
    )


@sensitive_post_parameters()
@never_cache
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = CountedPasswordChangeForm(
        cast(User, request.user), request.POST or None, request=request
    )
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        authentication.record_password_change(user=user, how="changed")
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:account")
    locked = form.has_error("old_password", "locked")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=429 if locked else 200
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the link; the same answer whether or not an account uses the address and
    whether or not a limit was reached (``domain.password_reset``)."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        within_limits = password_reset.request_password_reset(
            email=form.cleaned_data["email"],
            base_url=self.request.build_absolute_uri("/"),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            client_limited=PASSWORD_RESET_PER_CLIENT.exceeded(self.request),
        )
        if within_limits:
            PASSWORD_RESET_PER_CLIENT.count(self.request)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        authentication.record_password_change(user=form.user, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"

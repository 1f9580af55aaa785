from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.core.validators import RegexValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        # A recovery code is 20 characters, typed with or without its hyphens and spaces.
        max_length=40,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"}
        ),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Code shown by the app"),
        validators=[RegexValidator(r"^\d{6}$", _("Enter the 6 digits your app shows."))],
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class RecoveryCodesForm(forms.Form):
    """New recovery codes ask for the account's password again: a browser left logged in must
    not be enough to take over the account's way back in."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        check_own_password(
            self.request,
            self.user,
            password,
            str(_("That password is not right. Your recovery codes were not changed.")),
        )
        return password


def check_own_password(request: HttpRequest, user: User, password: str, wrong: str) -> None:
    """Raise a ``ValidationError`` unless ``password`` is ``user``'s. Checked through the
    authentication backends, so that a wrong password typed on any page counts towards the
    account's lock-out like those typed on the log-in page, and a locked-out account is
    refused whatever it types."""
    checked = authenticate(request, username=user.get_username(), password=password)
    if getattr(request, "axes_locked_out", False):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        raise forms.ValidationError(
            _(
                "Too many failed attempts for this account from your address. "
                "Try again in %(minutes)d minutes, or reset your password."
            ),
            code="locked",
            params={"minutes": minutes},
        )
    if checked is None or checked.pk != user.pk:
        raise forms.ValidationError(wrong, code="wrong_password")


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, whose old password is checked like a log-in (see
    ``check_own_password``) instead of directly against the stored hash."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        check_own_password(
            self.request,
            cast(User, self.user),
            old_password,
            str(_("That password is not right. Your password was not changed.")),
        )
        return old_password


def _role_choices(actor: User) -> list[tuple[str, str]]:
    choices = [(str(value), str(label)) for value, label in Role.choices]
    if not actor.has_perm(Permission.GRANT_ADMINISTRATOR):
        choices = [c for c in choices if c[0] != Role.ADMINISTRATOR]
    return choices


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class StaffAccountForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[
            RegexValidator(
                r"^[a-z0-9._-]{3,150}$",
                _("Use 3 or more lower-case letters, digits, dots, hyphens or underscores."),
            )
        ],
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("The person sets their password through a link sent to this address."),
    )
    roles = RolesField(label=_("Roles"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = _role_choices(actor)


class RolesForm(forms.Form):
    roles = RolesField(label=_("Roles"))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["roles"]).choices = _role_choices(actor)

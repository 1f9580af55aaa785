from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
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
        max_length=16,
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

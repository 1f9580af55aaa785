"""Keeping robots and floods out of the public forms, which anyone may send without an account:
a field people do not see (robots fill it in) and a limit per client address
(``core.rate_limits.RateLimit``, counted across every process)."""

from django import forms
from django.utils.translation import gettext_lazy

from coop4int.core.rate_limits import RateLimit

__all__ = ["HONEYPOT_FIELD", "RateLimit", "filled_by_robot", "honeypot_field"]

HONEYPOT_FIELD = "website"


def honeypot_field() -> forms.CharField:
    """The hidden field (``website``); the stylesheet moves it out of sight, robots fill it."""
    return forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


def filled_by_robot(form: forms.Form) -> bool:
    """True when the hidden field was filled in; call after ``is_valid()``."""
    return bool(form.cleaned_data.get(HONEYPOT_FIELD))

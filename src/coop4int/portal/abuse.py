"""Keeping robots and floods out of the public forms, which anyone may send without an account:
a field people do not see (robots fill it in) and a limit per connection address."""

import hashlib
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

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


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``limit`` uses of ``scope`` per connection address in ``window`` seconds. Only a
    hash of the address is kept, and only in the cache, for the length of the window."""

    scope: str
    limit: int = 5
    window: int = 60 * 60

    def _key(self, request: HttpRequest) -> str:
        address = request.META.get("REMOTE_ADDR", "")
        return f"{self.scope}:rate:" + hashlib.sha256(address.encode()).hexdigest()[:32]

    def exceeded(self, request: HttpRequest) -> bool:
        return int(cache.get(self._key(request), 0)) >= self.limit

    def count(self, request: HttpRequest) -> None:
        """One more use; the window starts with the first."""
        key = self._key(request)
        cache.add(key, 0, self.window)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls: a new window
            cache.set(key, 1, self.window)

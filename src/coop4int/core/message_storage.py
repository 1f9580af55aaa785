"""Django's messages (the one-line notes after an action), kept in a cookie when they fit and in
the session otherwise — under the cookie name ``settings.MESSAGE_COOKIE_NAME``, which Django's
own storage does not let settings choose: in production ``__Host-messages``, so that this
cookie too is bound to the exact host, sent only over HTTPS and for the whole site, like the
session, CSRF and language cookies."""

from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class NamedCookieStorage(CookieStorage):
    """Django's cookie storage under the name the settings give."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cookie_name = settings.MESSAGE_COOKIE_NAME


class NamedFallbackStorage(FallbackStorage):
    """Django's default storage (the cookie, then the session) with ``NamedCookieStorage``."""

    storage_classes = (NamedCookieStorage, SessionStorage)

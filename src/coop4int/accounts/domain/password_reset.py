"""Asking for a password-reset link by e-mail.

Anyone may ask, for any address, so the answer never tells whether an account uses it: the page
says the same thing every time, the mail goes out through the task queue (``tasks.
send_password_reset``, so the time the page takes does not depend on it either), and the limits
count every request alike. Limits: a few per e-mail address (``PER_ADDRESS``; nobody floods one
person's mailbox) and per client address (``views.PASSWORD_RESET_PER_CLIENT``); over either,
nothing is sent.
"""

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils.crypto import salted_hmac

from coop4int.accounts.models import User
from coop4int.accounts.tasks import send_password_reset
from coop4int.core import audit
from coop4int.core.audit import mask
from coop4int.core.rate_limits import hit, used


@dataclass(frozen=True, slots=True)
class AddressRateLimit:
    """At most ``limit`` uses of ``scope`` per e-mail address in ``window`` seconds, counted like
    ``core.rate_limits.RateLimit`` (which counts per client). The address is kept only as a
    keyed digest, only in the cache, for the length of the window."""

    scope: str
    limit: int
    window: int

    def key(self, email: str) -> str:
        digest = salted_hmac(self.scope, _folded(email), algorithm="sha256").hexdigest()
        return f"{self.scope}:rate:" + digest[:32]

    def exceeded(self, email: str) -> bool:
        return used(self.key(email)) >= self.limit

    def count(self, email: str) -> None:
        hit(self.key(email), self.window)


PER_ADDRESS = AddressRateLimit("password_reset_address", limit=3, window=60 * 60)


def _folded(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def accounts_for_address(email: str) -> list[int]:
    """The active accounts with this e-mail address that have a password to reset (Django's
    rule: ``PasswordResetForm.get_users``)."""
    folded = _folded(email)
    return [
        user.pk
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password() and _folded(user.email) == folded
    ]


@transaction.atomic
def request_password_reset(
    *, email: str, base_url: str, language: str, client_limited: bool
) -> bool:
    """Queue the reset link for the accounts using ``email``, unless the client
    (``client_limited``, counted by the view) or the address has asked too often. Returns
    whether the request was within the limits (the caller then counts it for the client).

    Side effects: the task ``send_password_reset`` (even when no account matches);
    one use of ``PER_ADDRESS``; audit ``accounts.password.reset_requested`` (address masked,
    and whether it was over a limit)."""
    limited = client_limited or PER_ADDRESS.exceeded(email)
    if not limited:
        # Enqueued even when no account matches, so that the request costs the same either way;
        # the accounts already exist, so the task need not wait for this transaction.
        send_password_reset.enqueue(accounts_for_address(email), base_url, language)
        PER_ADDRESS.count(email)
    audit.record(
        action="accounts.password.reset_requested",
        actor=None,
        data={"email": mask(email), "limited": limited},
    )
    return not limited

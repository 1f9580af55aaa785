"""Secrets the platform must read back — an authenticator app's key — are stored encrypted, so
that a copy of the database (a backup, a dump for support) does not give anyone the codes.

The keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (environment variable of the same name,
comma-separated Fernet keys): the first encrypts, every one of them decrypts. To change keys,
put the new one first, keep the old ones after it, run ``coop4int rotate_encryption_keys``
(everything stored is encrypted again with the first key), then drop the old ones.
"""

import functools
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableSecret(Exception):
    """A stored secret that none of ``FIELD_ENCRYPTION_KEYS`` decrypts: it was encrypted with a
    key that has been taken out of the list (or the value was damaged)."""


def keys_problem(keys: Sequence[str]) -> str:
    """Why ``keys`` cannot be used, or ``""``."""
    if not keys:
        return "FIELD_ENCRYPTION_KEYS is empty."
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return (
                f"Key number {position} of FIELD_ENCRYPTION_KEYS is not a Fernet key "
                "(32 bytes, URL-safe base64)."
            )
    return ""


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    problem = keys_problem(keys)
    if problem:
        raise ImproperlyConfigured(problem)
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    # Keyed by the list itself, so a changed setting (a test, a reload) takes effect at once.
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: bytes) -> str:
    """``value`` encrypted with the first key, as text for a database column."""
    return _fernet().encrypt(value).decode("ascii")


def decrypt(token: str) -> bytes:
    """The value ``token`` holds. Raises UnreadableSecret when no key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise UnreadableSecret(
            "This value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: the key it "
            "was encrypted with has been removed from the list, or the value is damaged."
        ) from None


def encrypt_again(token: str) -> str:
    """``token`` encrypted again with the first key (decrypted with whichever key opens it).
    Raises UnreadableSecret when no key opens it."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise UnreadableSecret(
            "This value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from None

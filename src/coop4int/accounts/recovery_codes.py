"""Recovery codes: what they look like and how they are kept.

A code is 20 characters of the base32 alphabet (A–Z, 2–7: 100 bits, out of reach of guessing
even offline), shown in four groups of five (``K7MXQ-4QF9A-…``). Only a keyed digest is stored
(HMAC-SHA256 keyed by ``SECRET_KEY``; the ``SECRET_KEY_FALLBACKS`` are tried too, so codes
survive a key change made the usual Django way). Typing is forgiving: case, spaces and hyphens
do not matter, and the digits people read for letters (0 for O, 1 for I, 8 for B) are taken as
those letters — none of them is in the alphabet.
"""

import hmac
import secrets
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LENGTH = 20
GROUP = 5
_READ_AS = str.maketrans({"0": "O", "1": "I", "8": "B"})
_SALT = "coop4int.accounts.recovery_code"


def new_code() -> str:
    """A fresh code, grouped for reading: ``ABCDE-FGHIJ-KLMNO-PQRST``."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(chars[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str:
    """What a person typed in the stored form; ``""`` when it cannot be a recovery code."""
    compact = "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")
    compact = compact.translate(_READ_AS)
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return ""
    return compact


def _digest(code: str, secret: str) -> str:
    return salted_hmac(_SALT, code, secret=secret, algorithm="sha256").hexdigest()


def digest(code: str) -> str:
    """What is stored for ``code`` (any typed form of it)."""
    return _digest(normalise(code), settings.SECRET_KEY)


def matching(typed: str, stored: Sequence[tuple[int, str]]) -> int | None:
    """The id of the stored digest ``typed`` matches, among ``(id, digest)`` pairs; ``None``.
    Every pair is compared, in constant time each, whether or not one matched already."""
    code = normalise(typed)
    if not code:
        return None
    candidates = [_digest(code, secret) for secret in _secrets()]
    found: int | None = None
    for code_id, stored_digest in stored:
        for candidate in candidates:
            if hmac.compare_digest(candidate, stored_digest):
                found = code_id
    return found


def _secrets() -> Iterable[str]:
    yield settings.SECRET_KEY
    yield from getattr(settings, "SECRET_KEY_FALLBACKS", [])

"""Case references: short, unguessable, and safe to read over the phone — no 0/O, 1/I/L or U,
in two groups of four (``K7MX-4QF9``). The tracking secret is separate and never stored."""

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str:
    """What a person reads or types (``k7mx 4qf9``, ``K7MX4QF9``) in the stored form; ``""``
    when it cannot be a reference."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) != 8 or any(ch not in ALPHABET for ch in compact):
        return ""
    return f"{compact[:4]}-{compact[4:]}"


def new_tracking_secret() -> tuple[str, str]:
    """(secret for the person's link, digest to store)."""
    secret = secrets.token_urlsafe(24)
    return secret, tracking_digest(secret)


def tracking_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

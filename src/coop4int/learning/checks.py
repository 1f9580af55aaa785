"""System checks of the training app: the keys that sign certificates."""

from typing import Any

from django.core.checks import CheckMessage, Error, Warning

from coop4int.learning.credentials.keys import NoSigningKey, keys_problem, signing_key

NEW_KEY_HINT = (
    "Make one with `coop4int credentials new-key --out PATH` and put PATH first in "
    "CREDENTIAL_SIGNING_KEYS (keep older keys after it)."
)


def check_credential_keys(**kwargs: Any) -> list[CheckMessage]:
    """Unreadable or missing signing keys would only fail at the first certificate; say so at
    start instead."""
    problem = keys_problem()
    if problem:
        return [
            Error(
                f"A key of CREDENTIAL_SIGNING_KEYS cannot be read: {problem}",
                hint="Each entry is a path to an Ed25519 PEM file (PKCS#8 private key or "
                "public key) or base64url:<32-byte seed>. " + NEW_KEY_HINT,
                id="learning.E001",
            )
        ]
    try:
        signing_key()
    except NoSigningKey as missing:
        return [
            Warning(
                f"Certificates cannot be issued: {missing}",
                hint=NEW_KEY_HINT,
                id="learning.W001",
            )
        ]
    return []

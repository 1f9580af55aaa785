"""System checks of the accounts app."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from coop4int.accounts.encryption import keys_problem


def check_field_encryption_keys(**kwargs: Any) -> list[CheckMessage]:
    """Malformed keys would only fail at the first log-in; say so at start instead."""
    problem = keys_problem(list(settings.FIELD_ENCRYPTION_KEYS))
    if not problem:
        return []
    return [
        Error(
            problem,
            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'",
            id="accounts.E001",
        )
    ]

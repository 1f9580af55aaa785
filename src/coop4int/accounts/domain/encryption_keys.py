"""Changing the keys stored secrets are encrypted with (``accounts.encryption``)."""

from dataclasses import dataclass

from django.db import transaction

from coop4int.accounts import encryption
from coop4int.accounts.models import AuthenticatorDevice
from coop4int.core import audit


@dataclass(frozen=True)
class Rotation:
    encrypted_again: int
    # Authenticators whose key no key in FIELD_ENCRYPTION_KEYS opens (left as they were).
    unreadable: tuple[int, ...]


@transaction.atomic
def rotate_encryption_keys() -> Rotation:
    """Encrypt every stored authenticator key again with the first of
    ``FIELD_ENCRYPTION_KEYS``, so that the others can then be taken out of the list. Safe to run
    twice. Side effects: audit ``accounts.encryption_keys.rotated`` (counts only)."""
    done = 0
    unreadable: list[int] = []
    devices = AuthenticatorDevice.objects.select_for_update().only("pk", "encrypted_key")
    for device in devices.order_by("pk"):
        try:
            device.encrypted_key = encryption.encrypt_again(device.encrypted_key)
        except encryption.UnreadableSecret:
            unreadable.append(device.pk)
            continue
        device.save(update_fields=["encrypted_key"])
        done += 1
    audit.record(
        action="accounts.encryption_keys.rotated",
        actor=None,
        data={"encrypted_again": done, "unreadable": len(unreadable)},
    )
    return Rotation(encrypted_again=done, unreadable=tuple(unreadable))

"""`coop4int rotate_encryption_keys`: encrypt every stored secret again with the first key."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coop4int.accounts.domain.encryption_keys import rotate_encryption_keys


class Command(BaseCommand):
    help = (
        "Encrypt every stored authenticator key again with the first key of "
        "FIELD_ENCRYPTION_KEYS; afterwards the other keys can be removed from the list."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotation = rotate_encryption_keys()
        self.stdout.write(
            f"{rotation.encrypted_again} authenticator key(s) encrypted again with the first key."
        )
        if rotation.unreadable:
            ids = ", ".join(str(pk) for pk in rotation.unreadable)
            raise CommandError(
                f"{len(rotation.unreadable)} authenticator key(s) cannot be decrypted with any "
                f"key in FIELD_ENCRYPTION_KEYS (authenticator ids: {ids}). Put back the key they "
                "were encrypted with and run this again, or have their holders set up their app "
                "again. Keep the old keys in the list until then."
            )

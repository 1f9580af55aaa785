"""Second-factor secrets leave the clear-text tables of django-otp's plugins.

- Every authenticator (``otp_totp.TOTPDevice``) becomes an ``AuthenticatorDevice`` with the same
  settings and its key encrypted with the first of ``FIELD_ENCRYPTION_KEYS``; the plugin's row is
  deleted, so no key stays in clear. The apps people use keep working.
- Recovery codes (``otp_static``), stored in clear and too short, are discarded: each holder
  makes new ones (My account → Make new recovery codes), which now asks for their password.
- Sessions verified with an old device end: their holders log in again.

Going back puts the keys in clear into ``otp_totp`` again; recovery codes do not come back.
"""

from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations

COPIED = ("name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t")


def _encrypt_keys(apps: Any, schema_editor: Any) -> None:
    old_devices = apps.get_model("otp_totp", "TOTPDevice")
    new_devices = apps.get_model("accounts", "AuthenticatorDevice")
    static_devices = apps.get_model("otp_static", "StaticDevice")
    first_key = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
    for old in old_devices.objects.order_by("pk").iterator():
        new_devices.objects.create(
            user_id=old.user_id,
            encrypted_key=first_key.encrypt(bytes.fromhex(old.key)).decode("ascii"),
            last_used_at=old.last_used_at,
            **{field: getattr(old, field) for field in COPIED},
        )
    old_devices.objects.all().delete()
    static_devices.objects.all().delete()  # and their tokens, with them


def _decrypt_keys(apps: Any, schema_editor: Any) -> None:
    old_devices = apps.get_model("otp_totp", "TOTPDevice")
    new_devices = apps.get_model("accounts", "AuthenticatorDevice")
    fernet = MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])
    for new in new_devices.objects.order_by("pk").iterator():
        old_devices.objects.create(
            user_id=new.user_id,
            key=fernet.decrypt(new.encrypted_key.encode("ascii")).hex(),
            last_used_at=new.last_used_at,
            **{field: getattr(new, field) for field in COPIED},
        )
    new_devices.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_second_factor_secrets"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(_encrypt_keys, _decrypt_keys)]

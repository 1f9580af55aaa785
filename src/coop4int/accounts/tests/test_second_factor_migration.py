"""Migration 0003: authenticators stored by django-otp's plugin in clear move to
AuthenticatorDevice encrypted, and keep working; recovery codes stored in clear are discarded."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import TOTP

BEFORE = [("accounts", "0002_second_factor_secrets")]
AFTER = [("accounts", "0003_move_second_factor_secrets")]
# The plugins' last migrations: their models are part of the states compared.
PLUGINS = [("otp_totp", "0003_add_timestamps"), ("otp_static", "0003_add_timestamps")]
CLEAR_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, in hex


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets + PLUGINS).apps


@pytest.mark.django_db(transaction=True)
def test_keys_in_clear_are_encrypted_and_clear_recovery_codes_discarded(settings):
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(username="fatima")
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user_id=user.pk, name="phone", confirmed=True, key=CLEAR_KEY, drift=1, last_t=7
    )
    static = old.get_model("otp_static", "StaticDevice").objects.create(
        user_id=user.pk, name="recovery codes", confirmed=True
    )
    old.get_model("otp_static", "StaticToken").objects.create(device=static, token="abcd1234")

    new = _migrate(AFTER)

    assert not new.get_model("otp_totp", "TOTPDevice").objects.exists()
    assert not new.get_model("otp_static", "StaticToken").objects.exists()
    assert not new.get_model("otp_static", "StaticDevice").objects.exists()
    device = new.get_model("accounts", "AuthenticatorDevice").objects.get(user_id=user.pk)
    assert (device.name, device.confirmed, device.drift, device.last_t) == ("phone", True, 1, 7)
    assert CLEAR_KEY not in device.encrypted_key
    key = Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(device.encrypted_key.encode())
    assert key == bytes.fromhex(CLEAR_KEY)
    assert TOTP(key).token() == TOTP(bytes.fromhex(CLEAR_KEY)).token()


@pytest.mark.django_db(transaction=True)
def test_going_back_gives_the_plugin_its_keys_again(settings):
    new = _migrate(AFTER)
    user = new.get_model("accounts", "User").objects.create(username="joao")
    new.get_model("accounts", "AuthenticatorDevice").objects.create(
        user_id=user.pk,
        name="phone",
        encrypted_key=Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
        .encrypt(bytes.fromhex(CLEAR_KEY))
        .decode(),
    )

    old = _migrate(BEFORE)

    assert old.get_model("otp_totp", "TOTPDevice").objects.get(user_id=user.pk).key == CLEAR_KEY
    assert not old.get_model("accounts", "AuthenticatorDevice").objects.exists()
    _migrate(AFTER)

"""Second-factor secrets at rest: recovery codes long, kept only as digests, used once, renewed
only with the password; authenticator keys encrypted with keys from the environment, rotated by
a command, and a key encrypted with a retired key refused clearly.

Wording is asserted in English (sent as Accept-Language)."""

import base64
import logging
import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from coop4int.accounts import encryption, recovery_codes
from coop4int.accounts.domain.authentication import (
    regenerate_recovery_codes,
    remaining_recovery_codes,
)
from coop4int.accounts.enums import Role
from coop4int.accounts.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from coop4int.accounts.tests.factories import PASSWORD, StaffFactory, current_totp
from coop4int.core.models import AuditEntry

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")
HOME = reverse("backoffice:home")
ACCOUNT = reverse("accounts:account")
RENEW = reverse("accounts:recovery_codes")
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="fatima")


def _table(name: str) -> str:
    """Every value of every row of a table, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def _log_in_with(client: Client, user, token: str):
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    return client.post(VERIFY, {"token": token})


def _recovery_device(user) -> RecoveryCodeDevice:
    return RecoveryCodeDevice.objects.get(user=user)


# --- Recovery codes ---------------------------------------------------------------------------


def test_recovery_codes_are_twenty_base32_characters_kept_only_as_digests(officer):
    codes = regenerate_recovery_codes(user=officer)

    assert len(codes) == len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", code)  # 20 × 5 bits = 100 bits
    stored = _table(RecoveryCode._meta.db_table) + _table(RecoveryCodeDevice._meta.db_table)
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
        assert code.replace("-", "").lower() not in stored
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == {
        recovery_codes.digest(code) for code in codes
    }


def test_a_recovery_code_is_taken_however_it_is_typed_and_only_once(officer):
    code = regenerate_recovery_codes(user=officer)[3]
    typed = code.lower().replace("-", " ")
    device = _recovery_device(officer)

    assert device.verify_token(typed)
    assert not device.verify_token(code)
    assert remaining_recovery_codes(officer) == 9


def test_digits_read_for_letters_are_taken_as_those_letters():
    assert recovery_codes.normalise("abcd0-1bcd8 ABCDE-fghij") == "ABCDOIBCDBABCDEFGHIJ"
    assert recovery_codes.normalise("ABCDE-FGHIJ-KLMNO") == ""  # too short
    assert recovery_codes.normalise("ABCDE-FGHIJ-KLMNO-PQRS9") == ""  # 9 is in no code


def test_a_code_kept_from_before_a_secret_key_change_still_works(officer, settings):
    code = regenerate_recovery_codes(user=officer)[0]
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_secret]

    assert _recovery_device(officer).verify_token(code)


def test_a_six_digit_code_does_not_count_as_a_failed_recovery_code(client, officer):
    regenerate_recovery_codes(user=officer)

    assert _log_in_with(client, officer, current_totp(officer)).url == HOME

    assert _recovery_device(officer).throttling_failure_count == 0


def test_logging_in_with_a_recovery_code_says_how_many_are_left(client, officer):
    code = regenerate_recovery_codes(user=officer)[0]

    response = _log_in_with(client, officer, code)

    assert response.url == HOME
    assert "You used a recovery code. 9 codes are left." in client.get(HOME).text
    entry = AuditEntry.objects.get(action="accounts.login.succeeded")
    assert entry.data["method"] == "recovery_code"


# --- Renewing the codes needs the password ----------------------------------------------------


def test_the_account_page_asks_for_the_password_to_make_new_codes(client, officer, login_verified):
    login_verified(client, officer)

    page = client.get(ACCOUNT).text

    assert 'type="password"' in page
    assert 'autocomplete="current-password"' in page


def test_new_codes_with_the_password_replace_the_old_ones_and_are_shown_once(
    client, officer, login_verified
):
    old = regenerate_recovery_codes(user=officer)
    login_verified(client, officer)

    response = client.post(RENEW, {"password": PASSWORD})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    account_page = client.get(ACCOUNT).text
    assert not any(code in account_page for code in codes)
    device = _recovery_device(officer)
    assert device.verify_token(codes[0])
    assert not device.verify_token(old[0])
    assert AuditEntry.objects.filter(action="accounts.recovery_codes.renewed").count() == 2


@pytest.mark.parametrize("password", ["not-the-right-password", ""])
def test_a_wrong_or_missing_password_changes_nothing_and_says_why(
    client, officer, login_verified, password
):
    old = regenerate_recovery_codes(user=officer)
    digests = set(RecoveryCode.objects.values_list("digest", flat=True))
    login_verified(client, officer)

    response = client.post(RENEW, {"password": password})

    assert response.status_code == 200
    assert "codes" not in response.context
    if password:
        assert "That password is not right. Your recovery codes were not changed." in response.text
        assert AuditEntry.objects.filter(action="accounts.recovery_codes.refused").count() == 1
    else:
        assert "This field is required." in response.text
    assert set(RecoveryCode.objects.values_list("digest", flat=True)) == digests
    assert AuditEntry.objects.filter(action="accounts.recovery_codes.renewed").count() == 1
    assert _recovery_device(officer).verify_token(old[0])


def test_wrong_passwords_to_renew_the_codes_lock_the_account_like_the_log_in(
    client, officer, login_verified
):
    login_verified(client, officer)
    for _ in range(5):
        client.post(RENEW, {"password": "not-the-right-password"})

    response = client.post(RENEW, {"password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert not RecoveryCode.objects.filter(device__user=officer).exists()
    locked = Client(headers={"accept-language": "en"}).post(
        LOGIN, {"username": officer.username, "password": PASSWORD}
    )
    assert locked.status_code == 429


# --- Authenticator keys encrypted at rest -----------------------------------------------------


def test_the_enrolment_key_is_shown_to_its_holder_but_stored_encrypted(client, unit, settings):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)
    client.post(LOGIN, {"username": newcomer.username, "password": PASSWORD})

    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', client.get(ENROL).text)

    assert shown
    base32_key = shown.group(1).replace(" ", "")
    device = AuthenticatorDevice.objects.get(user=newcomer)
    key = Fernet(settings.FIELD_ENCRYPTION_KEYS[0]).decrypt(device.encrypted_key.encode())
    assert base64.b32encode(key).decode().rstrip("=") == base32_key
    stored = _table(AuthenticatorDevice._meta.db_table)
    for clear in (base32_key, key.hex(), key.hex().upper(), base64.b64encode(key).decode()):
        assert clear not in stored
    totp = TOTP(key, device.step, device.t0, device.digits, device.drift)
    assert client.post(ENROL, {"token": f"{totp.token():06d}"}).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def _encrypted_with(key: str, settings, user) -> AuthenticatorDevice:
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return AuthenticatorDevice.objects.create(user=user, name="phone", confirmed=True)


def _rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


def test_codes_are_accepted_after_the_keys_are_rotated_and_the_old_key_retired(
    client, unit, settings
):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)
    device = _encrypted_with(OLD_KEY, settings, newcomer)
    key = device.bin_key
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert "1 authenticator key(s) encrypted again" in _rotate()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    device.refresh_from_db()
    assert Fernet(NEW_KEY).decrypt(device.encrypted_key.encode()) == key
    assert key.hex() not in _table(AuthenticatorDevice._meta.db_table)
    assert _log_in_with(client, newcomer, current_totp(newcomer)).url == HOME
    rotated = AuditEntry.objects.get(action="accounts.encryption_keys.rotated")
    assert rotated.data == {"encrypted_again": 1, "unreadable": 0}


def test_rotating_twice_changes_nothing_that_matters(unit, settings):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)
    key = _encrypted_with(OLD_KEY, settings, newcomer).bin_key
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    _rotate()
    _rotate()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert AuthenticatorDevice.objects.get(user=newcomer).bin_key == key


def test_a_key_encrypted_with_a_retired_key_fails_clearly(client, unit, settings, caplog):
    newcomer = StaffFactory(unit=unit, roles=[Role.CONTENT_EDITOR], totp=False)
    device = _encrypted_with(OLD_KEY, settings, newcomer)
    code = current_totp(newcomer)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    device.refresh_from_db()

    with pytest.raises(encryption.UnreadableSecret, match="FIELD_ENCRYPTION_KEYS"):
        device.bin_key  # noqa: B018
    with caplog.at_level(logging.ERROR, logger="coop4int.accounts"):
        response = _log_in_with(client, newcomer, code)
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert f"authenticator {device.pk} of account {newcomer.pk} cannot be checked" in caplog.text
    assert "FIELD_ENCRYPTION_KEYS" in caplog.text
    with pytest.raises(CommandError, match=rf"authenticator ids: {device.pk}\b"):
        _rotate()
    device.refresh_from_db()
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    assert device.bin_key  # left as it was: putting the old key back still opens it


def test_malformed_keys_fail_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]

    with pytest.raises(Exception, match=r"accounts\.E001"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def _settings_in_a_fresh_process(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = "import coop4int.settings as s; print(len(s.FIELD_ENCRYPTION_KEYS))"
    return subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    base = {"DEBUG": "0", "SECRET_KEY": "s" * 60, "COOP4INT_DATA_DIR": str(tmp_path)}

    missing = _settings_in_a_fresh_process(base)
    given = _settings_in_a_fresh_process(base | {"FIELD_ENCRYPTION_KEYS": f"{NEW_KEY},{OLD_KEY}"})
    development = _settings_in_a_fresh_process({"DEBUG": "1", "COOP4INT_DATA_DIR": str(tmp_path)})

    assert missing.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in missing.stderr
    assert given.stdout.strip() == "2"
    assert development.stdout.strip() == "1"

"""Log-in with a password and a second factor; recovery codes; sessions."""

from django.db import transaction

from coop4int.accounts import recovery_codes
from coop4int.accounts.models import (
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    StaffSession,
    User,
)
from coop4int.core import audit, request_context
from coop4int.core.audit import mask

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_DEVICE_NAME = "authenticator app"


def has_second_factor(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: User) -> AuthenticatorDevice:
    """The not-yet-confirmed authenticator an account is enrolling; made on first ask."""
    device, _created = AuthenticatorDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": TOTP_DEVICE_NAME}
    )
    return device


def _new_recovery_codes(user: User) -> list[str]:
    """Fresh codes in place of any the account had; only their digests are stored, so the
    list returned is the only time anyone sees them."""
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [recovery_codes.new_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_codes.digest(code)) for code in codes
    )
    return codes


@transaction.atomic
def enrol_second_factor(*, user: User, device: AuthenticatorDevice) -> list[str]:
    """Confirm an authenticator the holder proved with a valid code; returns fresh recovery
    codes (shown once). Side effects: audit ``accounts.second_factor.enrolled``."""
    AuthenticatorDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(action="accounts.second_factor.enrolled", actor=user, obj=user)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """Replace every recovery code; the caller has had the holder's password typed again
    (``forms.RecoveryCodesForm``). Side effects: audit ``accounts.recovery_codes.renewed``."""
    codes = _new_recovery_codes(user)
    audit.record(action="accounts.recovery_codes.renewed", actor=user, obj=user)
    return codes


def record_refused_recovery_codes(*, user: User) -> None:
    """Audit ``accounts.recovery_codes.refused``: new codes were asked for with a wrong
    password (someone at an unattended, logged-in browser?). Nothing else changes."""
    audit.record(action="accounts.recovery_codes.refused", actor=user, obj=user)


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


@transaction.atomic
def record_login(*, user: User, session_key: str, second_factor: str) -> None:
    """Remember the new session (so it can be ended from elsewhere) and audit the log-in.

    Side effects: a StaffSession row; audit ``accounts.login.succeeded``.
    """
    context = request_context.current()
    StaffSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip_address": context.ip_address,
            "user_agent": context.user_agent,
        },
    )
    audit.record(
        action="accounts.login.succeeded", actor=user, obj=user, data={"method": second_factor}
    )


def record_failed_login(*, username: str, stage: str) -> None:
    """Audit a refused log-in (``stage``: password, second_factor, locked)."""
    # The account aimed at, in clear, for administrators (the audit page masks it for anyone
    # else) — only when it names an account: a string that names none may be a password
    # typed in the wrong field, and the log keeps it masked.
    targeted = username if User.objects.filter(username=username).exists() else ""
    audit.record(
        action="accounts.login.failed",
        actor=None,
        data={"username": mask(username), "stage": stage, "targeted_account": targeted},
    )


@transaction.atomic
def record_logout(*, user: User, session_key: str | None) -> None:
    if session_key:
        StaffSession.objects.filter(session_key=session_key).delete()
    audit.record(action="accounts.logout", actor=user, obj=user)


def record_password_change(*, user: User, how: str) -> None:
    """Audit ``accounts.password.changed`` (``how``: changed or reset)."""
    audit.record(action="accounts.password.changed", actor=user, obj=user, data={"how": how})

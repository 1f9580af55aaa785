import logging
import secrets
import time
from base64 import b32encode
from functools import cached_property
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from coop4int.accounts import encryption, recovery_codes
from coop4int.accounts.enums import Island, Role, UnitKind
from coop4int.accounts.roles import NATIONWIDE_ROLES, Permission, permissions_for

logger = logging.getLogger("coop4int.accounts")


class Unit(models.Model):
    """A node of the organisation tree: the national authority, a local support unit, or a
    partner organisation. Staff belong to one unit; data is scoped by unit."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    island = models.CharField(_("island"), max_length=20, choices=Island.choices, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Atlantic/Cape_Verde")
    email = models.EmailField(_("e-mail"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


# django-otp has no type information, so the stubs cannot see the devices' reverse managers.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A staff account. Members of the public never have one."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(_("interface language"), max_length=10, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[Role]:
        if not self.pk or not self.is_active:
            return frozenset()
        return frozenset(
            Role(code) for code in self.role_assignments.values_list("role", flat=True)
        )

    @cached_property
    def granted_permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    @property
    def is_nationwide(self) -> bool:
        return bool(self.roles & NATIONWIDE_ROLES)

    def forget_roles(self) -> None:
        """Drop the cached roles after they changed."""
        self.__dict__.pop("roles", None)
        self.__dict__.pop("granted_permissions", None)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class StaffSession(models.Model):
    """The sessions an account holds, so that disabling it can end every one of them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


# --- Second factor ------------------------------------------------------------------------------
# django-otp devices of our own (django-otp finds every Device subclass): the authenticator's key
# is stored encrypted, and recovery codes only as keyed digests. The plugins' TOTPDevice and
# StaticDevice kept both in clear; migration 0003 moved their keys here and discarded the codes.

TOTP_KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


def new_encrypted_totp_key() -> str:
    """A fresh random authenticator key, encrypted (the default of a new device)."""
    return encryption.encrypt(secrets.token_bytes(TOTP_KEY_BYTES))


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) proved by the 6-digit codes it shows.

    The shared key is stored encrypted (``accounts.encryption``; ``FIELD_ENCRYPTION_KEYS``);
    ``bin_key`` decrypts it when a code is checked or the app is being set up."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authenticator_devices")
    encrypted_key = models.CharField(max_length=255, default=new_encrypted_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: a code is never accepted twice.
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        """The key in clear. Raises ``encryption.UnreadableSecret``."""
        return encryption.decrypt(self.encrypted_key)

    def set_key(self, key: bytes) -> None:
        self.encrypted_key = encryption.encrypt(key)

    @property
    def base32_key(self) -> str:
        """The key as an authenticator app takes it typed in."""
        return b32encode(self.bin_key).decode("ascii").rstrip("=")

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` address the enrolment QR code holds."""
        issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = self.user.get_username()
        params = urlencode(
            {
                "secret": self.base32_key,
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        text = str(token).strip()
        if len(text) != self.digits or not (text.isascii() and text.isdigit()):
            # Not a code of this kind (a recovery code, typed on the same form): no failure.
            return False
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            key = self.bin_key
        except encryption.UnreadableSecret:
            logger.error(
                "authenticator %s of account %s cannot be checked: its key was encrypted with a "
                "key that is no longer in FIELD_ENCRYPTION_KEYS",
                self.pk,
                self.user_id,
            )
            return False
        totp = TOTP(key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if totp.verify(int(text), self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            if getattr(settings, "OTP_TOTP_SYNC", True):
                self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """An account's recovery codes, each good for one log-in; only their digests are kept
    (``RecoveryCode``, ``accounts.recovery_codes``)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_code_devices")

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: object) -> bool:
        """Accepts one of the codes and uses it up."""
        typed = str(token)
        if not recovery_codes.normalise(typed):
            # Not a code of this kind (6 digits from the app): no failure.
            return False
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        found = recovery_codes.matching(typed, list(self.codes.values_list("pk", "digest")))
        # Deleting decides: of two log-ins racing with the same code, only one deletes it.
        if found is not None and RecoveryCode.objects.filter(pk=found).delete()[0]:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCode(models.Model):
    """One unused recovery code: its keyed digest, never the code."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.device}: {self.pk}"

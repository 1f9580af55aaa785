from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.accounts.enums import Island, Role, UnitKind
from coop4int.accounts.roles import NATIONWIDE_ROLES, Permission, permissions_for


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


class User(AbstractUser):
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

"""Staff accounts: creating them, their roles, disabling and enabling them."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.enums import Role
from coop4int.accounts.models import RoleAssignment, Unit, User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.core.audit import mask


def _check_may_grant(actor: User | None, roles: Iterable[Role]) -> None:
    """Only an administrator may grant or take away the administrator role; ``actor`` None is
    the platform itself (demo data, commands)."""
    may_grant = actor is None or actor.has_perm(Permission.GRANT_ADMINISTRATOR)
    if Role.ADMINISTRATOR in roles and not may_grant:
        raise PermissionDenied(_("Only an administrator may grant the administrator role."))


def _check_may_switch(actor: User, user: User) -> None:
    """Switching an administrator's account off or on again is as much as taking the role
    away or granting it: only an administrator may."""
    holds_it = user.role_assignments.filter(role=Role.ADMINISTRATOR).exists()
    if holds_it and not actor.has_perm(Permission.GRANT_ADMINISTRATOR):
        raise PermissionDenied(
            _("Only an administrator may disable or enable an administrator's account.")
        )


@transaction.atomic
def create_staff_account(
    *,
    actor: User | None,
    unit: Unit,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    roles: Iterable[Role],
    password: str | None = None,
    is_demo: bool = False,
) -> User:
    """Create an account in ``unit`` holding ``roles``.

    Without a password the account cannot log in until its holder sets one through the
    password-reset e-mail. Side effects: one audit entry ``accounts.staff.created``.
    """
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError(_("Choose at least one role."))
    _check_may_grant(actor, roles)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name “%(username)s” is taken.") % {"username": username})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        unit=unit,
        is_demo=is_demo,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in roles)
    audit.record(
        action="accounts.staff.created",
        actor=actor,
        obj=user,
        unit=unit,
        data={"roles": list(roles), "email": mask(email)},
    )
    return user


@transaction.atomic
def set_roles(*, actor: User, user: User, roles: Iterable[Role]) -> None:
    """Replace the roles ``user`` holds. Side effects: audit ``accounts.staff.roles_changed``."""
    new = set(roles)
    if not new:
        raise ValidationError(_("Choose at least one role."))
    old = set(user.roles)
    _check_may_grant(actor, new - old)
    if Role.ADMINISTRATOR in old - new:
        _check_may_grant(actor, [Role.ADMINISTRATOR])
    if new == old:
        return
    RoleAssignment.objects.filter(user=user).exclude(role__in=new).delete()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in new - old)
    user.forget_roles()
    audit.record(
        action="accounts.staff.roles_changed",
        actor=actor,
        obj=user,
        unit=user.unit,
        data={"added": sorted(new - old), "removed": sorted(old - new)},
    )


@transaction.atomic
def disable_account(*, actor: User, user: User) -> int:
    """Stop ``user`` logging in and end every session they hold, at once.

    Returns how many sessions were ended. Side effects: audit ``accounts.staff.disabled``.
    """
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot disable your own account."))
    _check_may_switch(actor, user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = user.staff_sessions.all()
    keys = list(sessions.values_list("session_key", flat=True))
    ended, _detail = Session.objects.filter(session_key__in=keys).delete()
    sessions.delete()
    audit.record(
        action="accounts.staff.disabled",
        actor=actor,
        obj=user,
        unit=user.unit,
        data={"sessions_ended": ended},
    )
    return ended


@transaction.atomic
def enable_account(*, actor: User, user: User) -> None:
    """Let a disabled account log in again. Side effects: audit ``accounts.staff.enabled``."""
    _check_may_switch(actor, user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    user.forget_roles()
    audit.record(action="accounts.staff.enabled", actor=actor, obj=user, unit=user.unit)


@transaction.atomic
def set_interface_language(*, user: User, language: str) -> None:
    """Remember the interface language a staff member chose, for their next log-in on any
    device. Side effects: audit ``accounts.staff.language_changed``."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("This language is not available."))
    if user.language == language:
        return
    user.language = language
    user.save(update_fields=["language"])
    audit.record(
        action="accounts.staff.language_changed", actor=user, obj=user, data={"to": language}
    )

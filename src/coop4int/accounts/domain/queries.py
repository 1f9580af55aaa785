"""Reads: units and staff as a given user may see them. Missing and forbidden look alike (404)."""

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from coop4int.accounts.models import RoleAssignment, Unit, User


def units_for_user(user: User) -> QuerySet[Unit]:
    units = Unit.objects.select_related("parent").annotate(staff_count=Count("staff"))
    if user.is_nationwide:
        return units
    return units.filter(pk=user.unit_id) if user.unit_id else units.none()


def get_unit_for_user(user: User, slug: str) -> Unit:
    try:
        return units_for_user(user).get(slug=slug)
    except Unit.DoesNotExist:
        raise Http404 from None


def staff_for_user(user: User) -> QuerySet[User]:
    staff = User.objects.select_related("unit").prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )
    if user.is_nationwide:
        return staff
    return staff.filter(unit_id=user.unit_id) if user.unit_id else staff.none()


def get_staff_for_user(user: User, username: str) -> User:
    try:
        return staff_for_user(user).get(username=username)
    except User.DoesNotExist:
        raise Http404 from None

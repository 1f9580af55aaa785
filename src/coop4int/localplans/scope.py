"""Which plans and measures a member of staff may reach — the one place that says it, as
queries and as predicates (``localplans/rules.py`` registers the predicates).

> A plan is reached by nationwide users (AAI's administrators), by the municipal coordinators
> of a municipality the plan covers (their unit's municipality), and — to read it and update
> their own measures — by the partner users of an organisation responsible for one of its
> measures (an organisation of the directory kept by their unit). Nobody else: any other plan
> answers 404.
"""

from django.db.models import Q, QuerySet

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.localplans.models import Measure, Plan
from coop4int.observatory.geography import municipality_code


def coordinated_municipalities(user: User) -> frozenset[str]:
    """The municipalities (ISO 3166-2:CV codes) whose plans ``user`` coordinates: their unit's,
    when they hold the municipal coordinator's role."""
    if not getattr(user, "is_authenticated", False) or Role.MUNICIPAL_COORDINATOR not in user.roles:
        return frozenset()
    code = municipality_code(user.unit.municipality) if user.unit else None
    return frozenset({code}) if code else frozenset()


def _is_partner(user: User) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.unit_id is not None
        and Role.PARTNER_USER in user.roles
    )


def plans_managed_by(user: User) -> QuerySet[Plan]:
    """The plans ``user`` may write and run."""
    if not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    if Permission.MANAGE_LOCAL_PLANS not in user.granted_permissions:
        return Plan.objects.none()
    if user.is_nationwide:
        return Plan.objects.all()
    return Plan.objects.filter(municipalities__code__in=coordinated_municipalities(user)).distinct()


def plans_for_user(user: User) -> QuerySet[Plan]:
    """The plans ``user`` may open in the back office."""
    if not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    if Permission.VIEW_LOCAL_PLANS not in user.granted_permissions:
        return Plan.objects.none()
    if user.is_nationwide:
        return Plan.objects.all()
    reach = Q(pk__in=plans_managed_by(user).values("pk"))
    if _is_partner(user):
        reach |= Q(measures__responsible__unit_id=user.unit_id)
    return Plan.objects.filter(reach).distinct()


def measures_updatable_by(user: User) -> QuerySet[Measure]:
    """The measures whose progress and status ``user`` may update."""
    if not getattr(user, "is_authenticated", False):
        return Measure.objects.none()
    if Permission.UPDATE_PLAN_MEASURES not in user.granted_permissions:
        return Measure.objects.none()
    reach = Q(plan__in=plans_managed_by(user).values("pk"))
    if _is_partner(user):
        reach |= Q(responsible__unit_id=user.unit_id)
    return Measure.objects.filter(reach)


def plan_in_reach(user: User, plan: Plan | None) -> bool:
    return plan is None or plans_for_user(user).filter(pk=plan.pk).exists()


def plan_managed(user: User, plan: Plan | None) -> bool:
    return plan is None or plans_managed_by(user).filter(pk=plan.pk).exists()


def measure_updatable(user: User, measure: Measure | None) -> bool:
    return measure is None or measures_updatable_by(user).filter(pk=measure.pk).exists()

"""Who may do what with local integration plans: the role table combined with the plans'
scope (``localplans/scope.py``: the municipality of a coordinator's unit, a partner's own
measures, or nationwide). Approving a plan or a report and configuring the areas are AAI's
(the role table alone)."""

from typing import Any

import rules

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted
from coop4int.localplans import scope


@rules.predicate
def plan_in_reach(user: User, plan: Any) -> bool:
    return scope.plan_in_reach(user, plan)


@rules.predicate
def plan_managed(user: User, plan: Any) -> bool:
    return scope.plan_managed(user, plan)


@rules.predicate
def measure_updatable(user: User, measure: Any) -> bool:
    return scope.measure_updatable(user, measure)


rules.add_perm(  # object: a Plan
    Permission.VIEW_LOCAL_PLANS, granted(Permission.VIEW_LOCAL_PLANS) & plan_in_reach
)
rules.add_perm(  # object: a Plan
    Permission.MANAGE_LOCAL_PLANS, granted(Permission.MANAGE_LOCAL_PLANS) & plan_managed
)
rules.add_perm(  # object: a Measure
    Permission.UPDATE_PLAN_MEASURES,
    granted(Permission.UPDATE_PLAN_MEASURES) & measure_updatable,
)
rules.add_perm(Permission.APPROVE_LOCAL_PLANS, granted(Permission.APPROVE_LOCAL_PLANS))
rules.add_perm(Permission.CONFIGURE_PLAN_AREAS, granted(Permission.CONFIGURE_PLAN_AREAS))

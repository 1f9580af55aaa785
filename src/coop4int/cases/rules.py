"""Who may work which case: the role table combined with the case's unit."""

import rules

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide, is_own_unit
from coop4int.cases.models import Case, Referral


@rules.predicate
def in_case_unit(user: User, case: Case | None) -> bool:
    return case is None or (user.unit_id is not None and case.unit_id == user.unit_id)


rules.add_perm(
    Permission.WORK_CASES, granted(Permission.WORK_CASES) & (is_nationwide | in_case_unit)
)


@rules.predicate
def referred_to_users_organisation(user: User, referral: Referral | None) -> bool:
    return referral is None or (user.unit_id is not None and referral.partner_id == user.unit_id)


rules.add_perm(
    Permission.ANSWER_REFERRALS,
    granted(Permission.ANSWER_REFERRALS) & (is_nationwide | referred_to_users_organisation),
)

rules.add_perm(Permission.MANAGE_CANNED_ANSWERS, granted(Permission.MANAGE_CANNED_ANSWERS))


@rules.predicate
def reads_statistics_nationwide(user: User) -> bool:
    """Analysts compare units, so for case statistics — and only for them — they read every
    unit, like the nationwide roles. Statistics carry no case and no person (small counts are
    suppressed), which is why this wider read is safe."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_nationwide or Role.ANALYST in user.roles)
    )


rules.add_perm(
    Permission.VIEW_CASE_STATISTICS,  # object: a Unit
    granted(Permission.VIEW_CASE_STATISTICS) & (reads_statistics_nationwide | is_own_unit),
)

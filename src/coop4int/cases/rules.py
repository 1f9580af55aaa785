"""Who may work which case: the role table combined with the case's unit."""

import rules

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide
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

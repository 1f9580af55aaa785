"""Who may do what to which course, session or enrolment: the role table combined with scope.

- Managing a course (its sessions, deciding applications, enrolling, revoking certificates):
  ``MANAGE_TRAINING`` for the course's unit, or nationwide.
- Teaching a session (attendance, assessments, completion): ``TEACH`` as the session's trainer,
  or ``MANAGE_TRAINING`` for its course's unit.
"""

from typing import Any

import rules

from coop4int.accounts.models import Unit, User
from coop4int.accounts.roles import Permission
from coop4int.accounts.rules import granted, is_nationwide


def _unit_of(obj: Any) -> Unit | None:
    """The unit that runs ``obj``: a Course, a CourseSession, an Enrolment or a Unit."""
    if obj is None or isinstance(obj, Unit):
        return obj
    course = getattr(obj, "course", None)
    if course is None and hasattr(obj, "session"):
        course = obj.session.course
    return course.unit if course is not None else getattr(obj, "unit", None)


@rules.predicate
def runs_it(user: User, obj: Any) -> bool:
    unit = _unit_of(obj)
    return unit is None or user.unit_id == unit.pk


@rules.predicate
def trains_it(user: User, obj: Any) -> bool:
    if obj is None:
        return True
    session = obj if hasattr(obj, "trainer_id") else getattr(obj, "session", None)
    return session is not None and session.trainer_id == user.pk


can_manage = granted(Permission.MANAGE_TRAINING) & (is_nationwide | runs_it)

rules.add_perm(Permission.MANAGE_TRAINING, can_manage)  # object: Course, session, enrolment
rules.add_perm(
    Permission.TEACH,  # object: a CourseSession or an Enrolment
    (granted(Permission.TEACH) & trains_it) | can_manage,
)
# The person's own scope is checked by the people app's rules (``people.view_person``).
rules.add_perm(Permission.ENROL_PEOPLE, granted(Permission.ENROL_PEOPLE))
rules.add_perm(Permission.VIEW_TRAINING_STATISTICS, granted(Permission.VIEW_TRAINING_STATISTICS))

"""The scoping rule for people — which records a user may reach — written once, as a query
and as a predicate (a property test holds the two to the same answer).

A person's record is reachable by the users who work cases (``Permission.WORK_CASES``) at a
unit that serves them — the unit that registered them, a unit where they have a case, and a
unit their record was linked to with their consent to share it between units (a ``UnitLink``
whose consent is not withdrawn) — and by nationwide users. Nobody else.

It sits beside the models (not in ``domain``) because ``rules.py`` needs it too; everything
else reads people through ``people.domain.queries``.
"""

from django.db.models import Q, QuerySet

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.people.models import Person, UnitLink


def people_in_reach(user: User) -> QuerySet[Person]:
    """Every record ``user`` may open, merged-away ones included (the scoping rule above)."""
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    if Permission.WORK_CASES not in user.granted_permissions:
        return Person.objects.none()
    if user.is_nationwide:
        return Person.objects.all()
    if user.unit_id is None:
        return Person.objects.none()
    with_case_here = Person.objects.filter(cases__unit_id=user.unit_id).values("pk")
    linked_here = UnitLink.objects.filter(
        unit_id=user.unit_id, consent__withdrawn_at__isnull=True
    ).values("person_id")
    return Person.objects.filter(
        Q(unit_id=user.unit_id) | Q(pk__in=with_case_here) | Q(pk__in=linked_here)
    )


def person_in_scope(user: User, person: Person) -> bool:
    """The scoping rule for one record: True when ``user`` may open ``person`` (merged-away
    records included, as ``people_in_reach``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if Permission.WORK_CASES not in user.granted_permissions:
        return False
    if user.is_nationwide:
        return True
    if user.unit_id is None:
        return False
    if person.unit_id == user.unit_id:
        return True
    if person.cases.filter(unit_id=user.unit_id).exists():
        return True
    return UnitLink.objects.filter(
        person=person, unit_id=user.unit_id, consent__withdrawn_at__isnull=True
    ).exists()

"""Reading people: always through the user's scope. Opening a person's record is audited."""

from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.people.domain.duplicates import PossibleDuplicate, possible_duplicates
from coop4int.people.enums import ContactKind
from coop4int.people.models import Consent, Person

# A merge points the merged record at the kept one and re-points earlier merges, so a chain is
# one step long; the bound only guards against a loop in hand-edited data.
_MERGE_HOPS = 5

# Possible duplicates shown on a record, after those out of the user's reach are left out.
DUPLICATES_SHOWN = 10


class PersonMergedAway(Exception):
    """The record asked for was merged into another one, which the user may open."""

    def __init__(self, kept_id: UUID) -> None:
        super().__init__(str(kept_id))
        self.kept_id = kept_id


def _people_in_reach(user: User) -> QuerySet[Person]:
    """Every record ``user`` may open, merged-away ones included."""
    if Permission.WORK_CASES not in user.granted_permissions:
        return Person.objects.none()
    if user.is_nationwide:
        return Person.objects.all()
    if user.unit_id is None:
        return Person.objects.none()
    # A person with a case at the user's unit is that unit's person too (people/rules.py).
    with_case_here = Person.objects.filter(cases__unit_id=user.unit_id).values("pk")
    return Person.objects.filter(Q(unit_id=user.unit_id) | Q(pk__in=with_case_here))


def people_for_user(user: User) -> QuerySet[Person]:
    """The people ``user`` may see, not merged away: registered by their unit or with a case
    there; everyone for nationwide users; nobody for roles that do not work cases."""
    return _people_in_reach(user).filter(merged_into__isnull=True)


def get_person_for_user(user: User, person_id: UUID) -> Person:
    """The person, audited as ``people.person.viewed``; 404 both when the record does not
    exist and when ``user`` may not see it, so that its existence does not leak.

    Raises ``PersonMergedAway`` for a merged-away record whose kept record ``user`` may open
    (404 when they may not)."""
    person = (
        people_for_user(user)
        .select_related("unit")
        .prefetch_related("contacts")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        kept_id = _kept_record(person_id)
        if kept_id is not None and people_for_user(user).filter(pk=kept_id).exists():
            raise PersonMergedAway(kept_id)
        raise Http404
    audit.record(action="people.person.viewed", actor=user, obj=person, unit=person.unit)
    return person


def _kept_record(person_id: UUID) -> UUID | None:
    """Where a merged-away record went; None when it does not exist or was not merged."""
    kept: UUID | None = None
    current = person_id
    for _hop in range(_MERGE_HOPS):
        found = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if found is None:
            break
        kept = current = found
    return kept


def duplicates_in_reach(
    user: User, person: Person, *, with_document: bool
) -> list[tuple[PossibleDuplicate, str]]:
    """Possible duplicates of ``person`` that ``user`` may open, best first, each with the
    name of the unit that registered it: ``[(PossibleDuplicate, unit name), …]``. The
    document number is compared only ``with_document`` (who may read it)."""
    contacts = list(person.contacts.all())
    found: list[PossibleDuplicate] = possible_duplicates(
        given_names=person.given_names,
        family_names=person.family_names,
        birth_date=person.birth_date,
        phones=tuple(c.value for c in contacts if c.kind == ContactKind.PHONE),
        emails=tuple(c.value for c in contacts if c.kind == ContactKind.EMAIL),
        # Only who may read the document may learn that another record has the same one.
        document_number=person.document_number if with_document else "",
        limit=DUPLICATES_SHOWN * 3,
    )
    found = [d for d in found if d.person.pk != person.pk]
    units = dict(
        people_for_user(user)
        .filter(pk__in=[d.person.pk for d in found])
        .values_list("pk", "unit__name")
    )
    return [(d, units[d.person.pk]) for d in found if d.person.pk in units][:DUPLICATES_SHOWN]


def consent_history(person: Person) -> QuerySet[Consent]:
    """Every consent row of ``person``, newest first, with who recorded and withdrew it."""
    return person.consents.select_related("recorded_by", "withdrawn_by").order_by(
        "-given_at", "-pk"
    )


def age_on(person: Person, day: date) -> int | None:
    """Full years of age on ``day``; None without a date of birth."""
    born = person.birth_date
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

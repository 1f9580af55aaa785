"""Reading people: always through the user's scope. Opening a person's record and looking for
duplicates of someone being registered are audited.

**The scoping rule** (the one place it is written; `docs/architecture.md`): a person's record
is reachable by the users who work cases (``Permission.WORK_CASES``) at a unit that serves
them — the unit that registered them, a unit where they have a case, and a unit their record
was linked to with their consent to share it between units (``UnitLink`` whose consent is not
withdrawn) — and by nationwide users. Nobody else. ``people_for_user`` is that rule as a
query and ``person_in_scope`` as a predicate (used by ``people/rules.py``); a property test
holds them to the same answer. Every lookup that could cross units (by phone, e-mail, name,
document or id) goes through them, and outside the scope answers at most "a record may exist
at another unit" (``ScopedMatches.elsewhere``), never a name, a date or a field.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.people.domain.duplicates import PossibleDuplicate, possible_duplicates
from coop4int.people.enums import ContactKind
from coop4int.people.models import Consent, ContactPoint, Person, Rectification
from coop4int.people.scope import people_in_reach

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


@dataclass(frozen=True, slots=True)
class ScopedMatches:
    """What a lookup may tell ``user``: the matching records in their scope, and only whether
    some other record matched outside it."""

    people: list[Person]
    elsewhere: bool


def people_reachable_at(user: User, kind: ContactKind, value: str) -> ScopedMatches:
    """People (not merged away) with the phone or e-mail ``value``, oldest first, within
    ``user``'s scope; ``elsewhere`` when the contact belongs to a record outside it."""
    if not value:
        return ScopedMatches(people=[], elsewhere=False)
    matching = Person.objects.filter(
        contacts__kind=kind, contacts__value=value, merged_into__isnull=True
    )
    people = list(people_for_user(user).filter(pk__in=matching.values("pk")).order_by("created_at"))
    elsewhere = matching.exclude(pk__in=[p.pk for p in people]).exists()
    return ScopedMatches(people=people, elsewhere=elsewhere)


def duplicates_for_user(
    user: User,
    *,
    given_names: str = "",
    family_names: str = "",
    birth_date: date | None = None,
    phones: tuple[str, ...] = (),
    emails: tuple[str, ...] = (),
) -> tuple[list[PossibleDuplicate], bool]:
    """Possible duplicates of someone being registered, within ``user``'s scope, best first;
    and whether a record outside the scope shares one of the phones or e-mails given (the
    only hint about other units a registering officer gets: no name, date or unit).

    A lookup by name, phone or e-mail reads people's records, so each check is audited once
    as ``people.duplicates.looked_up``: the kinds of keys used, the phones and e-mails
    masked, how many matches were in scope and whether one was elsewhere — never a name's
    words nor the date of birth (``_described_lookup``)."""
    found = possible_duplicates(
        given_names=given_names,
        family_names=family_names,
        birth_date=birth_date,
        phones=phones,
        emails=emails,
        limit=DUPLICATES_SHOWN * 3,
    )
    reachable = set(
        people_for_user(user)
        .filter(pk__in=[d.person.pk for d in found])
        .values_list("pk", flat=True)
    )
    in_scope = [d for d in found if d.person.pk in reachable][:DUPLICATES_SHOWN]
    elsewhere = bool(phones or emails) and (
        Person.objects.filter(merged_into__isnull=True, contacts__value__in=[*phones, *emails])
        .exclude(pk__in=reachable)
        .exists()
    )
    audit.record(
        action="people.duplicates.looked_up",
        actor=user,
        unit=user.unit,
        data=_described_lookup(
            named=bool(given_names.strip() or family_names.strip()),
            birth_date=birth_date,
            phones=phones,
            emails=emails,
        )
        | {"matches": len(in_scope), "elsewhere": elsewhere},
    )
    return in_scope, elsewhere


def _described_lookup(
    *, named: bool, birth_date: date | None, phones: tuple[str, ...], emails: tuple[str, ...]
) -> dict[str, Any]:
    """What the log keeps of the keys a duplicate check used: which kinds (``name``,
    ``phone``, ``email``, ``birth_date``), the phones and e-mails masked; of a name or a date
    of birth only that one was given."""
    kinds = [
        kind
        for kind, used in (
            ("name", named),
            ("phone", bool(phones)),
            ("email", bool(emails)),
            ("birth_date", birth_date is not None),
        )
        if used
    ]
    return {
        "keys": kinds,
        "phones": [audit.mask(phone) for phone in phones],
        "emails": [audit.mask(email) for email in emails],
    }


def records_elsewhere(
    user: User, *, phones: tuple[str, ...] = (), emails: tuple[str, ...] = ()
) -> list[Person]:
    """The records outside ``user``'s scope that hold one of these phones or e-mails: for
    the domain only (linking a record with the person's consent), never to be shown."""
    values = [*phones, *emails]
    if not values:
        return []
    ids = ContactPoint.objects.filter(value__in=values).values("person_id")
    return list(
        Person.objects.filter(pk__in=ids, merged_into__isnull=True)
        .exclude(pk__in=people_for_user(user).values("pk"))
        .order_by("created_at")
    )


def people_for_user(user: User) -> QuerySet[Person]:
    """The people ``user`` may see, not merged away: registered by their unit or with a case
    there; everyone for nationwide users; nobody for roles that do not work cases."""
    return people_in_reach(user).filter(merged_into__isnull=True)


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


def rectification_history(person: Person) -> QuerySet[Rectification]:
    """Every correction of ``person``'s record, newest first, with who made it."""
    return person.rectifications.select_related("made_by").order_by("-made_at", "-pk")

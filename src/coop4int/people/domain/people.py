"""Registering people, their contacts and their consent — each change audited."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from coop4int.accounts.models import Unit, User
from coop4int.core import audit
from coop4int.core.text_search import fold
from coop4int.people.enums import ConsentMethod, ContactKind, Purpose
from coop4int.people.models import Consent, ContactPoint, Person, UnitLink
from coop4int.people.tasks import tell_coordinators_of_link


@dataclass(frozen=True, slots=True)
class PersonDetails:
    given_names: str = ""
    family_names: str = ""
    birth_date: date | None = None
    age_group: str = ""
    sex: str = "not_stated"
    gender: str = ""
    nationalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    preferred_language: str = "pt"
    island: str = ""
    municipality: str = ""
    residence_status: str = ""
    document_number: str = ""


def _apply(person: Person, details: PersonDetails) -> None:
    for field in PersonDetails.__dataclass_fields__:
        value: Any = getattr(details, field)
        setattr(person, field, list(value) if isinstance(value, tuple) else value)
    person.folded_name = fold(f"{details.given_names} {details.family_names}").strip()


@transaction.atomic
def register_person(
    *,
    actor: User | None,
    unit: Unit,
    details: PersonDetails,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    is_demo: bool = False,
) -> Person:
    """A new person of ``unit``. Phones and e-mails must already be normalised
    (``domain.contacts``). Audited as ``people.person.registered``."""
    person = Person(unit=unit, is_demo=is_demo)
    _apply(person, details)
    person.save()
    for kind, values in ((ContactKind.PHONE, phones), (ContactKind.EMAIL, emails)):
        for value in dict.fromkeys(values):
            ContactPoint.objects.create(person=person, kind=kind, value=value)
    audit.record(action="people.person.registered", actor=actor, obj=person, unit=unit)
    return person


@transaction.atomic
def add_contact(*, actor: User | None, person: Person, kind: ContactKind, value: str) -> None:
    _, created = ContactPoint.objects.get_or_create(person=person, kind=kind, value=value)
    if created:
        audit.record(
            action="people.contact.added",
            actor=actor,
            obj=person,
            unit=person.unit,
            data={"kind": kind.value, "value": audit.mask(value)},
        )


def people_with_contact(kind: ContactKind, value: str) -> list[Person]:
    """People (not merged away) reachable at ``value``, oldest first."""
    return list(
        Person.objects.filter(
            contacts__kind=kind, contacts__value=value, merged_into__isnull=True
        ).order_by("created_at")
    )


def has_consent(person: Person | None, purpose: Purpose) -> bool:
    if person is None:
        return False
    return Consent.objects.filter(
        person=person, purpose=purpose, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def give_consent(
    *,
    actor: User | None,
    person: Person,
    purpose: Purpose,
    method: ConsentMethod,
    at: datetime | None = None,
) -> Consent:
    """Record ``person``'s agreement to ``purpose`` (kept as it is when already given)."""
    live = Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()
    if live is not None:
        return live
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        method=method,
        given_at=at or timezone.now(),
        recorded_by=actor,
    )
    audit.record(
        action="people.consent.given",
        actor=actor,
        obj=person,
        unit=person.unit,
        data={"purpose": purpose.value, "method": method.value},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User | None, person: Person, purpose: Purpose) -> bool:
    """End ``person``'s agreement to ``purpose``; False when there was none."""
    changed = Consent.objects.filter(
        person=person, purpose=purpose, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now(), withdrawn_by=actor)
    if changed:
        audit.record(
            action="people.consent.withdrawn",
            actor=actor,
            obj=person,
            unit=person.unit,
            data={"purpose": purpose.value},
        )
    return bool(changed)


@transaction.atomic
def link_to_unit(
    *,
    actor: User,
    person: Person,
    unit: Unit,
    method: ConsentMethod,
    at: datetime | None = None,
) -> UnitLink:
    """Open ``person``'s record (registered by another unit) to ``unit``, with the person's
    consent to share it between units, given now by ``method`` to ``actor``.

    Side effects: the ``sharing`` consent recorded (kept when already given); audit
    ``people.person.linked``; after commit, the coordinators of the registering unit and of
    ``unit`` are told by e-mail."""
    consent = give_consent(
        actor=actor, person=person, purpose=Purpose.SHARING, method=method, at=at
    )
    link, created = UnitLink.objects.get_or_create(
        person=person,
        unit=unit,
        defaults={"consent": consent, "linked_by": actor, "linked_at": at or timezone.now()},
    )
    if not created and link.consent_id != consent.pk:
        # A link kept after its consent was withdrawn comes back with the new consent.
        link.consent = consent
        link.linked_by = actor
        link.linked_at = at or timezone.now()
        link.save(update_fields=["consent", "linked_by", "linked_at"])
    audit.record(
        action="people.person.linked",
        actor=actor,
        obj=person,
        unit=unit,
        data={"unit": unit.slug, "registered_by": person.unit.slug, "method": method.value},
    )
    transaction.on_commit(lambda: tell_coordinators_of_link.enqueue(link.pk))
    return link

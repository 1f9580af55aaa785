"""Erasing a person on their request: first a preview of what will be deleted, anonymised or
kept (and why), then the erasure itself — both read the declarations of every app
(``coop4int.core.personal_data``), so a new app's records are erased without a change here.

The person's row stays as a tombstone with the same key, emptied of everything that
identifies them (``people.personal_data``): the audit entries about it ("what was done to
whom") still point somewhere, and the statistics still count the cases, which are anonymised
rather than deleted. Records merged into the person's record are the same person's and are
erased with it. A legal hold on the record refuses the erasure, changing nothing.

Why a record was erased is a ground chosen from a list (``ErasureGround``): the audit entry
keeps its code, since the log can never let go of what it holds; an officer's note, words that
may name someone, stays on the tombstone (``erasure_note``) and the entry keeps its length.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.core.erasure_journal import record_erasure
from coop4int.core.personal_data import Erasure, PersonalData, declarations
from coop4int.people.domain.stripping import strip_rows
from coop4int.people.enums import ErasureGround
from coop4int.people.models import Person

# As long as the tombstone's column.
NOTE_MAX_LENGTH = Person._meta.get_field("erasure_note").max_length or 500


class ErasureRefused(Exception):
    """The erasure was not done and nothing changed; the message says why, in the reader's
    language."""


@dataclass(frozen=True, slots=True)
class KindOfRecord:
    """What erasing a person does, or did, to one kind of record."""

    declaration: PersonalData
    count: int
    """Rows deleted, anonymised, or kept as they are."""

    @property
    def model(self) -> str:
        return self.declaration.model

    @property
    def action(self) -> Erasure:
        return self.declaration.erasure

    @property
    def label(self) -> str:
        """The kind of record, in the reader's language ("Cases")."""
        return str(capfirst(self.declaration.model_class._meta.verbose_name_plural))

    @property
    def why(self) -> Promise | str:
        """Why these rows are kept (a legal obligation), or what they hold."""
        if self.action == Erasure.KEEP:
            return self.declaration.kept_because
        return self.declaration.description


def _counts(lines: Iterable[KindOfRecord], action: Erasure) -> int:
    return sum(line.count for line in lines if line.action == action)


@dataclass(frozen=True, slots=True)
class ErasurePreview:
    """What ``erase_person`` would do now, kind by kind (only kinds with rows)."""

    person: Person
    kinds: tuple[KindOfRecord, ...]

    @property
    def refused_because(self) -> str:
        """Why an erasure would be refused now ("" when it would go ahead)."""
        return _refusal(self.person)

    @property
    def deleted(self) -> int:
        return _counts(self.kinds, Erasure.DELETE)

    @property
    def anonymised(self) -> int:
        return _counts(self.kinds, Erasure.ANONYMISE)

    @property
    def kept(self) -> int:
        return _counts(self.kinds, Erasure.KEEP)


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What ``erase_person`` did. ``changed`` is False when there was nothing left to erase
    (erasing twice changes nothing the second time)."""

    person: Person
    kinds: tuple[KindOfRecord, ...]
    erased_at: datetime
    changed: bool

    @property
    def deleted(self) -> int:
        return _counts(self.kinds, Erasure.DELETE)

    @property
    def anonymised(self) -> int:
        return _counts(self.kinds, Erasure.ANONYMISE)

    @property
    def kept(self) -> int:
        return _counts(self.kinds, Erasure.KEEP)


def _refusal(person: Person) -> str:
    if person.has_legal_hold:
        return _(
            "This record is under a legal hold (%(reason)s): it cannot be erased until the "
            "hold is lifted. Nothing was changed."
        ) % {"reason": person.legal_hold_reason}
    return ""


def _group(person: Person) -> list[Person]:
    """The person's record and the records merged into it (one step: merging re-points
    earlier merges at the kept record)."""
    return [person, *Person.objects.filter(merged_into=person).order_by("pk")]


def _rows_to_strip(person: Person) -> list[tuple[PersonalData, list[Any]]]:
    """Every declaration with the keys of the person's rows an erasure would touch (or keep),
    collected before anything changes: stripping one kind (a case losing its
    ``claimed_person``, contacts deleted) must not hide the rows of another."""
    group = _group(person)
    found = []
    for declaration in declarations():
        pks: dict[Any, None] = {}
        for someone in group:
            rows = declaration.rows_of(someone)
            if declaration.erasure != Erasure.KEEP:
                rows = declaration.to_strip(rows)
            pks.update(dict.fromkeys(rows.values_list("pk", flat=True)))
        found.append((declaration, list(pks)))
    return found


def _is_the_person(declaration: PersonalData) -> bool:
    return declaration.model_class is Person


def preview_erasure(*, person: Person) -> ErasurePreview:
    """What erasing ``person`` now would delete, anonymise and keep, kind by kind: the counts
    ``erase_person`` will report, unless something changes meanwhile."""
    kinds = tuple(
        KindOfRecord(declaration, len(pks)) for declaration, pks in _rows_to_strip(person) if pks
    )
    return ErasurePreview(person=person, kinds=kinds)


def _checked_ground(ground: str) -> ErasureGround:
    try:
        return ErasureGround(ground)
    except ValueError as unknown:
        raise ErasureRefused(
            _("Choose why the record is erased (the person asked for it…). Nothing was changed.")
        ) from unknown


@transaction.atomic
def erase_person(
    *,
    person: Person,
    actor: User | None,
    ground: str,
    note: str = "",
    now: datetime | None = None,
) -> ErasureReport:
    """Erase ``person`` as every declaration says: delete, anonymise or keep each kind of
    record about them and the records merged into theirs.

    Side effects, in one transaction:
    - the rows of each declaration are deleted (their files leave the storage once the
      transaction commits) or anonymised; kept ones stay as they are;
    - the person's row (and merged ones) becomes a tombstone: same key, ``erased_at`` set,
      with the ground and the note (``erasure_ground``, ``erasure_note``);
    - one audit entry ``people.person.erased`` with the ground's code, the note's length (never
      its words) and the counts per kind;
    - the erasure journal gets a line per erased record
      (``coop4int.core.erasure_journal.record_erasure``), so that a restored backup can be
      erased again (``replay_erasures``). Written last, inside the transaction: if it cannot
      be written, nothing is erased.

    Erasing an erased record again changes nothing and writes nothing (``changed`` False),
    unless rows came back meanwhile (a restore), which it erases.

    Raises ``ErasureRefused`` — nothing changed — while a legal hold is set, without a
    ground among ``ErasureGround``, or with a note longer than ``NOTE_MAX_LENGTH``.
    """
    now = now or timezone.now()
    note = " ".join(note.split())
    person = Person.objects.select_for_update().get(pk=person.pk)
    refusal = _refusal(person)
    if refusal:
        raise ErasureRefused(refusal)
    why = _checked_ground(ground)
    if len(note) > NOTE_MAX_LENGTH:
        raise ErasureRefused(
            _("The note is too long: at most %(limit)d characters. Nothing was changed.")
            % {"limit": NOTE_MAX_LENGTH}
        )
    collected = _rows_to_strip(person)
    # The person's own row last: the other kinds are found through it.
    collected.sort(key=lambda found: _is_the_person(found[0]))
    erased_records = next(pks for declaration, pks in collected if _is_the_person(declaration))
    kinds = []
    for declaration, pks in collected:
        if not pks:
            continue
        if declaration.erasure == Erasure.KEEP:
            kinds.append(KindOfRecord(declaration, len(pks)))
        else:
            kinds.append(KindOfRecord(declaration, strip_rows(declaration, pks, now)))
    changed = any(kind.count for kind in kinds if kind.action != Erasure.KEEP)
    if changed:
        Person.objects.filter(pk__in=erased_records).update(
            erasure_ground=why.value, erasure_note=note
        )
    person.refresh_from_db()
    report = ErasureReport(
        person=person, kinds=tuple(kinds), erased_at=person.erased_at or now, changed=changed
    )
    if not changed:
        return report
    audit.record(
        action="people.person.erased",
        actor=actor,
        obj=person,
        unit=person.unit,
        data={
            "ground": why.value,
            "note_length": len(note),
            "merged_records": max(len(erased_records) - 1, 0),
            "counts": {kind.model: {kind.action.value: kind.count} for kind in kinds},
        },
    )
    for erased_id in erased_records:
        record_erasure(person_id=erased_id, at=now)
    return report

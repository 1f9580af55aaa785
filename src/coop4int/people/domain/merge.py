"""Merging two records of the same person into one, keeping every piece of history."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.core.text_search import fold
from coop4int.people.domain.queries import people_for_user
from coop4int.people.enums import Sex
from coop4int.people.models import Consent, ContactPoint, Person

# Copied from the merged record when the kept one has nothing there; never overwritten.
FILLABLE_FIELDS = (
    "given_names",
    "family_names",
    "birth_date",
    "age_group",
    "sex",
    "gender",
    "nationalities",
    "languages",
    "island",
    "municipality",
    "residence_status",
    "document_number",
)


class MergeRefused(ValueError):
    """The two records cannot be merged; the message says why, in the user's language."""


def _is_blank(field: str, value: Any) -> bool:
    if field == "sex":
        return value in ("", Sex.NOT_STATED)
    return value in (None, "", [])


@transaction.atomic
def merge_people(*, actor: User, keep: Person, merge: Person) -> Person:
    """Merge the record ``merge`` into ``keep`` and return ``keep``, refreshed.

    Side effects, in one transaction:
    - ``merge``'s cases name ``keep`` as their person;
    - ``merge``'s phones and e-mails move to ``keep``, except those ``keep`` already has (they
      stay on the merged record);
    - every consent row moves to ``keep`` (history is kept). Where both records had a live
      consent for the same purpose, the older one stays live and the newer one is marked
      withdrawn now, by ``actor`` — one live consent per purpose is a database constraint;
    - blank fields of ``keep`` are filled from ``merge``; nothing of ``keep`` is overwritten;
    - ``merge.merged_into`` becomes ``keep``, and records merged into ``merge`` earlier point
      at ``keep`` too;
    - audit ``people.person.merged`` on both records, personal values masked.

    Raises ``MergeRefused`` for a record merged into itself, a record already merged away, an
    erased record, or one outside ``actor``'s reach.
    """
    if keep.pk == merge.pk:
        raise MergeRefused(_("A record cannot be merged into itself."))
    # Locked in a fixed order, so that two merges of the same pair cannot deadlock; read
    # afresh, so that a merge made meanwhile is seen.
    locked = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    keep, merge = locked.get(keep.pk, keep), locked.get(merge.pk, merge)
    if keep.merged_into_id is not None or merge.merged_into_id is not None:
        raise MergeRefused(_("This record was already merged into another one."))
    if keep.erased_at is not None or merge.erased_at is not None:
        # A merge would give an erased person's tombstone a name again, or erase nobody.
        raise MergeRefused(_("An erased record cannot be merged."))
    if people_for_user(actor).filter(pk__in=[keep.pk, merge.pk]).count() != 2:
        raise MergeRefused(_("You may only merge records of people you work with."))

    now = timezone.now()
    references = list(merge.cases.order_by("opened_at").values_list("reference", flat=True))
    # Which person a case is about is not edited on the case page, so a case form open
    # meanwhile cannot overwrite it: the case's version is left as it is.
    merge.cases.update(person=keep)

    known = set(keep.contacts.values_list("kind", "value"))
    moved = [c for c in merge.contacts.all() if (c.kind, c.value) not in known]
    ContactPoint.objects.filter(pk__in=[c.pk for c in moved]).update(person=keep)

    live_kept = {c.purpose: c for c in keep.consents.filter(withdrawn_at__isnull=True)}
    live_merged = {c.purpose: c for c in merge.consents.filter(withdrawn_at__isnull=True)}
    closed: list[str] = []
    for purpose, theirs in live_merged.items():
        ours = live_kept.get(purpose)
        if ours is None:
            continue
        newer = theirs if (theirs.given_at, theirs.pk) >= (ours.given_at, ours.pk) else ours
        Consent.objects.filter(pk=newer.pk).update(withdrawn_at=now, withdrawn_by=actor)
        closed.append(purpose)
    consents_moved = Consent.objects.filter(person=merge).update(person=keep)

    filled = [
        field
        for field in FILLABLE_FIELDS
        if _is_blank(field, getattr(keep, field)) and not _is_blank(field, getattr(merge, field))
    ]
    for field in filled:
        setattr(keep, field, getattr(merge, field))
    if filled:
        keep.folded_name = fold(f"{keep.given_names} {keep.family_names}").strip()
        keep.save(update_fields=[*filled, "folded_name"])

    Person.objects.filter(merged_into=merge).update(merged_into=keep)
    merge.merged_into = keep
    merge.save(update_fields=["merged_into"])

    audit.record(
        action="people.person.merged",
        actor=actor,
        obj=keep,
        unit=keep.unit,
        data={
            "kept": True,
            "other": str(merge.pk),
            "cases": references,
            "contacts": [audit.mask(c.value) for c in moved],
            "consents_moved": consents_moved,
            "consents_withdrawn": sorted(closed),
            "filled": filled,
        },
    )
    audit.record(
        action="people.person.merged",
        actor=actor,
        obj=merge,
        unit=merge.unit,
        data={"kept": False, "other": str(keep.pk)},
    )
    return keep

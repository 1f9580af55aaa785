"""Correcting a person's record at their request, keeping the history: each corrected field is
a ``Rectification`` row (before, after, who, when, why), shown on the record. The rows are
personal data themselves (``people.personal_data``) and go with an erasure."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.core.text_search import fold
from coop4int.people.models import Person, Rectification

# The fields of a record a person may have corrected, in the order forms show them.
RECTIFIABLE_FIELDS = (
    "given_names",
    "family_names",
    "birth_date",
    "age_group",
    "sex",
    "gender",
    "nationalities",
    "languages",
    "preferred_language",
    "island",
    "municipality",
    "residence_status",
    "document_number",
)
# Only who may read them may correct them.
SENSITIVE_FIELDS = frozenset({"residence_status", "document_number"})
# Lists, typed as comma-separated values.
LIST_FIELDS = frozenset({"nationalities", "languages"})


class RectificationRefused(Exception):
    """Nothing changed; the message says why, in the reader's language."""


def as_text(value: Any) -> str:
    """A field's value as the history keeps it."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(part) for part in value)
    return str(value)


def _cleaned(person: Person, name: str, raw: Any) -> Any:
    """The value the model would store, validated as the model validates it; raises
    ``ValidationError`` with the field's own message."""
    if name in LIST_FIELDS:
        parts = raw.split(",") if isinstance(raw, str) else list(raw or ())
        values = [str(part).strip() for part in parts if str(part).strip()]
        if name == "nationalities":
            values = [value.upper() for value in values]
        return list(dict.fromkeys(values))
    field = person._meta.get_field(name)
    assert isinstance(field, models.Field)
    if isinstance(raw, str) and not isinstance(field, models.CharField):
        raw = raw.strip() or None
    elif isinstance(raw, str):
        raw = " ".join(raw.split())
    return field.clean(raw, person)


@transaction.atomic
def rectify_person(
    *,
    person: Person,
    actor: User,
    changes: Mapping[str, Any],
    reason: str,
    now: datetime | None = None,
) -> list[Rectification]:
    """Correct the fields of ``person`` named in ``changes`` (field → new value, typed or as
    text) and keep, per field that really changes, what it said before, what it says now,
    who, when and why. Audited as ``people.person.rectified``, naming the fields only.

    Raises ``RectificationRefused`` (nothing changed) for an erased record, an empty reason,
    a field that cannot be corrected here or that ``actor`` may not read, or when nothing
    would change; ``ValidationError`` for a value the field does not accept."""
    now = now or timezone.now()
    reason = " ".join(reason.split())
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_erased:
        raise RectificationRefused(_("This record was erased: there is nothing to correct."))
    if not reason:
        raise RectificationRefused(_("Say why the record is corrected (the person's request…)."))
    unknown = [name for name in changes if name not in RECTIFIABLE_FIELDS]
    if unknown:
        raise RectificationRefused(_("This field cannot be corrected here. Nothing was changed."))
    if SENSITIVE_FIELDS & set(changes) and not actor.has_perm(
        Permission.VIEW_PERSON_SENSITIVE, person
    ):
        raise RectificationRefused(_("You may not correct this field. Nothing was changed."))
    made = []
    for name, raw in changes.items():
        try:
            new = _cleaned(person, name, raw)
        except ValidationError as invalid:
            raise ValidationError({name: invalid.messages}) from invalid
        old = getattr(person, name)
        if as_text(old) == as_text(new):
            continue
        setattr(person, name, new)
        made.append(
            Rectification(
                person=person,
                field=name,
                old_value=as_text(old),
                new_value=as_text(new),
                reason=reason,
                made_by=actor,
                made_at=now,
            )
        )
    if not made:
        raise RectificationRefused(
            _("The new value is the same as the one recorded: nothing was changed.")
        )
    fields = [rectification.field for rectification in made]
    if {"given_names", "family_names"} & set(fields):
        person.folded_name = fold(f"{person.given_names} {person.family_names}").strip()
        fields.append("folded_name")
    person.save(update_fields=fields)
    Rectification.objects.bulk_create(made)
    audit.record(
        action="people.person.rectified",
        actor=actor,
        obj=person,
        unit=person.unit,
        data={"fields": [rectification.field for rectification in made]},
    )
    return made

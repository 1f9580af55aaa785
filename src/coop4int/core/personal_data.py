"""What the platform holds on a person, declared once per kind of record.

Each domain app that keeps data about a person served lists it in its own ``personal_data``
module as ``DECLARATIONS`` (a list of ``PersonalData``). Nothing else keeps such a list: the
access export, erasure, the retention schedule and the register of processing all read these
declarations, so a new app (appointments, training, the observatory) joins them by declaring
its records, without edits elsewhere. ``people/tests/test_personal_data.py`` fails when a model
that points to a person (directly or through another declared model) is not declared.

``core`` imports no other app: the declarations are found by module discovery
(``declarations()``), and each names its model by label (``"cases.Case"``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Erasure(StrEnum):
    """What erasing a person does to a kind of record."""

    DELETE = "delete"
    """The rows go (files with them)."""
    ANONYMISE = "anonymise"
    """The rows stay for counts (statistics), stripped of everything that identifies anyone:
    ``anonymise`` says how."""
    KEEP = "keep"
    """Kept as they are, with the reason in ``kept_because`` (a legal obligation); the
    erasure preview says so."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How long a kind of record is kept: ``years`` (a setting's name, so each deployment
    sets its own schedule) after the moment ``starts`` names (a field of the model, such as
    ``closed_at``), then it is erased as ``PersonalData.erasure`` says. ``years_setting``
    empty: kept as long as the person's record."""

    years_setting: str = ""
    default_years: int = 0
    starts: str = ""
    """The model's date field the period is counted from, or an ORM path to one
    (``"case__closed_at"``: an interaction is kept as long as its case). Rows where it is
    empty (a case not closed yet) are not due."""
    description: Promise | str = ""
    """The schedule in words, for the register of processing."""


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One kind of record held on a person."""

    model: str
    """The model's label, ``"app_label.ModelName"``."""
    person_path: str
    """The ORM path from the model to the person it is about (``"person"``,
    ``"case__person"``, ``"interaction__case__person"``; ``"pk"`` for ``people.Person``
    itself). Empty only for records that name no person but hold their contact details
    (``contact_fields``)."""
    description: Promise | str
    """What is held, in words (translatable): "Cases: what the person asked, when…"."""
    purpose: str
    """Why it is held: a code of ``PURPOSES`` below."""
    legal_basis: Promise | str
    recipients: tuple[Promise | str, ...] = ()
    """Who it is disclosed to beyond the unit's staff (partners a case is referred to…)."""
    retention: Retention = field(default_factory=Retention)
    erasure: Erasure = Erasure.DELETE
    kept_because: Promise | str = ""
    export_fields: tuple[str, ...] = ()
    """The fields copied into the person's access export; empty: every concrete field but
    the primary key and foreign keys."""
    export: Callable[[models.QuerySet[Any]], list[dict[str, Any]]] | None = None
    """Custom export of the person's rows (files, computed values); overrides
    ``export_fields``."""
    anonymise: Callable[[models.QuerySet[Any], datetime], int] | None = None
    """For ``Erasure.ANONYMISE``: strips the rows of the queryset, returns how many."""
    other_person_paths: tuple[str, ...] = ()
    """Further paths to a person the same rows may be about (a case's ``claimed_person``)."""
    contact_fields: tuple[str, ...] = ()
    """Fields holding a phone number or e-mail address given without naming a record
    (public feedback): the rows where one of them is among the person's contact points
    (``people.ContactPoint.value``, stored in one normal form) are theirs too."""
    already_anonymised: models.Q | None = None
    """For ``Erasure.ANONYMISE``: true of the rows that hold nothing more to strip, which
    erasure and retention leave out — so running them again changes and counts nothing."""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows_of(self, person: models.Model) -> models.QuerySet[Any]:
        """This kind's records about ``person`` (through every path)."""
        manager = self.model_class._default_manager
        # By key: ``pk`` (the person's own declaration) takes no model instance.
        query = models.Q(pk__in=[])
        for path in filter(None, (self.person_path, *self.other_person_paths)):
            query |= models.Q(**{path: person.pk})
        if self.contact_fields:
            # By the table's name, since ``core`` imports no other app; an empty value never
            # matches (a blank field is not anyone's address).
            values = [
                value
                for value in apps.get_model("people", "ContactPoint")
                ._default_manager.filter(person=person.pk)
                .values_list("value", flat=True)
                if value
            ]
            for name in self.contact_fields:
                query |= models.Q(**{f"{name}__in": values})
        return manager.filter(query).distinct()

    def to_strip(self, rows: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """Of ``rows``, those an erasure or retention would still change: all of them,
        except, for ``Erasure.ANONYMISE``, the ones already anonymised."""
        if self.erasure == Erasure.KEEP:
            return rows.none()
        if self.erasure == Erasure.ANONYMISE and self.already_anonymised is not None:
            return rows.exclude(self.already_anonymised)
        return rows


# Purposes of processing. The first five are the consent purposes (``people.enums.Purpose``,
# the same codes: a test holds them together); the others rest on another legal basis.
PURPOSES: dict[str, Promise | str] = {
    "service": _("Service delivery: answering the person's requests and following them up."),
    "contact": _("Contacting the person about their requests."),
    "referral": _("Sharing with a partner service the person is referred to."),
    "statistics": _("Counting the people served, without naming anyone, in statistics."),
    "sharing": _("Opening the person's record to another unit that serves them."),
    "feedback": _("Keeping public information true: answering remarks about a page."),
    "accountability": _(
        "Showing what was done with the person's data, and that it was lawful: consents "
        "given and withdrawn, corrections made."
    ),
}


@cache
def declarations() -> tuple[PersonalData, ...]:
    """Every app's declarations, in app order."""
    found: list[PersonalData] = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.personal_data"
        try:
            module = __import__(module_name, fromlist=["DECLARATIONS"])
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        found.extend(getattr(module, "DECLARATIONS", ()))
    return tuple(found)


def declaration_for(model: type[models.Model] | str) -> PersonalData | None:
    label = model if isinstance(model, str) else model._meta.label
    return next((d for d in declarations() if d.model == label), None)


__all__ = [
    "PURPOSES",
    "Erasure",
    "PersonalData",
    "Retention",
    "declaration_for",
    "declarations",
]

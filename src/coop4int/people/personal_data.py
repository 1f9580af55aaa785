"""What the people app holds on a person (``coop4int.core.personal_data``): the record itself,
its phones and e-mails, consents, links to other units and corrections."""

from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from coop4int.core.personal_data import Erasure, PersonalData

# What a tombstone keeps: the coarse facts the statistics break cases down by (sex, age
# group, island, nationalities — none of them names anyone), the unit and the dates. The rest
# goes. ``sex`` is not blanked but reset to its default when not among these.
TOMBSTONE_CLEARED: dict[str, Any] = {
    "given_names": "",
    "family_names": "",
    "folded_name": "",
    "birth_date": None,
    "gender": "",
    "languages": [],
    "municipality": "",
    "residence_status": "",
    "document_number": "",
}


def anonymise_people(rows: models.QuerySet[Any], now: datetime) -> int:
    """Empty the records of everything that identifies the person; keep the row (same key)."""
    return rows.update(**TOMBSTONE_CLEARED, erased_at=now)


def export_person(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    """The record as the person gave it: no internal keys, no folded search form."""
    fields = (
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
        "created_at",
    )
    return list(rows.values(*fields))


def export_unit_links(rows: models.QuerySet[Any]) -> list[dict[str, Any]]:
    """Which units, by name (their keys mean nothing to the person), and since when."""
    return [
        {"unit": link.unit.name, "linked_at": link.linked_at}
        for link in rows.select_related("unit").order_by("linked_at")
    ]


DECLARATIONS = [
    PersonalData(
        model="people.Person",
        person_path="pk",
        # Records merged into this one are the same person's.
        other_person_paths=("merged_into",),
        description=_(
            "The person's record: names, date of birth or age group, sex and gender as they "
            "describe it, nationalities, languages, island and municipality, and — seen only "
            "by those allowed — residence status and identity document number."
        ),
        purpose="service",
        legal_basis=_(
            "The person's consent to service delivery (Lei 133/V/2001, as amended by "
            "Lei 41/VIII/2013)."
        ),
        erasure=Erasure.ANONYMISE,
        anonymise=anonymise_people,
        already_anonymised=models.Q(erased_at__isnull=False),
        export=export_person,
    ),
    PersonalData(
        model="people.ContactPoint",
        person_path="person",
        description=_("The person's phone numbers and e-mail addresses."),
        purpose="contact",
        legal_basis=_("The person's consent to being contacted."),
        erasure=Erasure.DELETE,
        export_fields=("kind", "value"),
    ),
    PersonalData(
        model="people.Consent",
        person_path="person",
        description=_(
            "What the person agreed to, purpose by purpose: when, how and who recorded it, "
            "and when it was withdrawn."
        ),
        purpose="accountability",
        legal_basis=_("A legal obligation: showing that the processing was lawful."),
        erasure=Erasure.KEEP,
        kept_because=_(
            "Proof of what the person agreed to and when; it holds no name or contact detail, "
            "and the statistics count only the cases of people who agreed to them."
        ),
        export_fields=("purpose", "method", "given_at", "withdrawn_at"),
    ),
    PersonalData(
        model="people.UnitLink",
        person_path="person",
        description=_("The units other than the registering one the record was opened to."),
        purpose="sharing",
        legal_basis=_("The person's consent to sharing their record between units."),
        erasure=Erasure.KEEP,
        kept_because=_(
            "Shows which units could open the record; it holds nothing about the person "
            "beyond the link itself."
        ),
        export=export_unit_links,
    ),
    PersonalData(
        model="people.Rectification",
        person_path="person",
        description=_(
            "Corrections made to the record at the person's request: the field, its value "
            "before and after, who made it, when and why."
        ),
        purpose="accountability",
        legal_basis=_("A legal obligation: the right to rectification."),
        erasure=Erasure.DELETE,
        export_fields=("field", "old_value", "new_value", "reason", "made_at"),
    ),
]

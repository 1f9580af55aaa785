"""The register of processing: for each purpose, the kinds of records held for it, on what
legal basis, who else receives them, how long they are kept and what erasing the person does
to them — read from the declarations (``core.personal_data``), the purposes they name
(``PURPOSES``) and the purposes a person consents to (``people.enums.Purpose``), with the
retention periods as the deployment's settings have them now. Nothing here lists models: a
new app's declarations join the register by being declared."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop4int.core import personal_data
from coop4int.core.personal_data import PURPOSES, Erasure, PersonalData
from coop4int.people.domain.retention import years_of
from coop4int.people.enums import Purpose


def kind_name(declaration: PersonalData) -> str:
    """The kind of record by its model's name, where the model gives one (a translatable
    ``verbose_name``); "" otherwise — pages then name it by its description, which is always
    translatable, rather than by a name in the source language only."""
    meta = declaration.model_class._meta
    if "verbose_name_plural" in meta.original_attrs:
        return str(capfirst(meta.verbose_name_plural))
    if "verbose_name" in meta.original_attrs:
        return str(capfirst(meta.verbose_name))
    return ""


def retention_years(declaration: PersonalData) -> int | None:
    """The period in years as configured now; None for records kept as long as the
    person's record."""
    return years_of(declaration) if declaration.retention.years_setting else None


def retention_in_words(declaration: PersonalData) -> str:
    years = retention_years(declaration)
    if years is None:
        return _("Kept as long as the person's record.")
    period = ngettext("%(years)d year", "%(years)d years", years) % {"years": years}
    schedule = str(declaration.retention.description)
    if not schedule:
        return _("Kept for %(period)s, as the deployment sets it.") % {"period": period}
    return _("%(schedule)s Set now to %(period)s.") % {"schedule": schedule, "period": period}


def erasure_in_words(declaration: PersonalData) -> str:
    """What erasing the person's record does to this kind of record."""
    if declaration.erasure == Erasure.DELETE:
        return _("Deleted when the person's record is erased.")
    if declaration.erasure == Erasure.ANONYMISE:
        return _(
            "Anonymised when the person's record is erased: kept for counts, without what "
            "identifies anyone."
        )
    return _("Kept when the person's record is erased: %(reason)s") % {
        "reason": declaration.kept_because
    }


@dataclass(frozen=True, slots=True)
class RegisterKind:
    """One kind of record in the register, in the reader's language."""

    declaration: PersonalData
    name: str
    description: str
    legal_basis: str
    recipients: tuple[str, ...]
    retention: str
    years: int | None
    erasure: str

    @property
    def label(self) -> str:
        return self.declaration.model


@dataclass(frozen=True, slots=True)
class RegisterPurpose:
    code: str
    text: str
    consent: str
    """The purpose as a person consents to it ("Use in statistics"); "" for a purpose that
    rests on another legal basis."""
    kinds: tuple[RegisterKind, ...]


def register_kind(declaration: PersonalData) -> RegisterKind:
    return RegisterKind(
        declaration=declaration,
        name=kind_name(declaration),
        description=str(declaration.description),
        legal_basis=str(declaration.legal_basis),
        recipients=tuple(str(recipient) for recipient in declaration.recipients),
        retention=retention_in_words(declaration),
        years=retention_years(declaration),
        erasure=erasure_in_words(declaration),
    )


def _purpose_codes(found: tuple[PersonalData, ...]) -> Iterator[str]:
    """Every purpose, once: the declared list, then consent purposes it lacks, then any a
    declaration names that neither has (shown by code, so that nothing is left out)."""
    seen: set[str] = set()
    for code in (*PURPOSES, *Purpose.values, *(d.purpose for d in found)):
        if code not in seen:
            seen.add(code)
            yield code


def processing_register() -> tuple[RegisterPurpose, ...]:
    """The register, purpose by purpose, in the active language."""
    found = personal_data.declarations()
    consent_labels = {str(code): str(label) for code, label in Purpose.choices}
    return tuple(
        RegisterPurpose(
            code=code,
            text=str(PURPOSES.get(code, code)),
            consent=consent_labels.get(code, ""),
            kinds=tuple(register_kind(d) for d in found if d.purpose == code),
        )
        for code in _purpose_codes(found)
    )


def register_table() -> list[list[str]]:
    """The register as rows of a table (a header, then one row per kind of record, and one
    for each purpose with none), for a CSV file."""
    header = [
        _("Purpose code"),
        _("Purpose"),
        _("Consent asked for"),
        _("Kind of record"),
        _("Name"),
        _("What is held"),
        _("Legal basis"),
        _("Recipients beyond the units"),
        _("Retention"),
        _("Years"),
        _("When the person's record is erased"),
    ]
    table = [header]
    for purpose in processing_register():
        if not purpose.kinds:
            table.append([purpose.code, purpose.text, purpose.consent, *[""] * 8])
        for kind in purpose.kinds:
            table.append(
                [
                    purpose.code,
                    purpose.text,
                    purpose.consent,
                    kind.label,
                    kind.name,
                    kind.description,
                    kind.legal_basis,
                    "; ".join(kind.recipients),
                    kind.retention,
                    "" if kind.years is None else str(kind.years),
                    kind.erasure,
                ]
            )
    return table

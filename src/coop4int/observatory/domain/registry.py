"""The indicator registry: what each indicator measures, in which unit, broken down by which
dimensions, from which source — written by analysts (``Permission.MANAGE_OBSERVATORY``) and by
the platform itself when it first drafts its own tables (``actor`` None).

An indicator's code names every version of its figures (``Dataset.public_id`` is
"<code>-v<version>", a stable public address), so it cannot change once a dataset exists.
Its texts (names, definitions, notes on sources and breaks in series) are kept per language;
a name in at least one language is needed, the others fall back (``observatory.texts``)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit
from coop4int.core.languages import REGISTRY
from coop4int.observatory import enums
from coop4int.observatory.models import Indicator

# The fields ``update_indicator`` changes (the same as ``create_indicator`` takes).
INDICATOR_FIELDS = frozenset(
    {
        "code",
        "names",
        "definitions",
        "notes",
        "concept",
        "unit_measure",
        "decimals",
        "dimensions",
        "source",
        "periodicity",
    }
)
# The most decimals a figure is shown with.
MAX_DECIMALS = 6
# Ids an SDMX file gives to what is not a dimension of a series key: never one of its
# dimensions (the period is always there, besides them).
RESERVED_IDS = frozenset(
    {
        enums.Dimension.TIME_PERIOD.value,
        enums.OBS_VALUE,
        enums.OBS_STATUS,
        enums.CONF_STATUS,
    }
)
_SOURCE_MAX = Indicator._meta.get_field("source").max_length or 300


def _require_analyst(actor: User | None) -> None:
    """The platform itself (no actor) may write; a person needs the observatory's permission."""
    if actor is not None and not actor.has_perm(Permission.MANAGE_OBSERVATORY):
        raise PermissionDenied


def _texts(value: Mapping[str, str] | None) -> tuple[dict[str, str], bool]:
    """The non-empty texts of ``value``, trimmed, by language; False when a language is not
    one the registry knows."""
    texts: dict[str, str] = {}
    known = True
    for language, text in (value or {}).items():
        cleaned = str(text or "").strip()
        if not cleaned:
            continue
        if language not in REGISTRY:
            known = False
            continue
        texts[language] = cleaned
    return texts, known


def _checked_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` (indicator fields) checked and in their stored form; ValidationError by
    field for every problem at once."""
    problems: dict[str, str] = {}
    checked: dict[str, Any] = {}
    if "code" in values:
        code = str(values["code"] or "").strip()
        if not enums.INDICATOR_CODE.match(code):
            problems["code"] = _(
                "A code is 2 to 40 capital letters, digits and underscores, beginning with "
                "a letter (for example FOREIGN_NATIONALS)."
            )
        checked["code"] = code
    for field in ("names", "definitions", "notes"):
        if field in values:
            texts, known = _texts(values[field])
            if not known:
                problems[field] = _("A text is in a language the platform does not know.")
            checked[field] = texts
    if "names" in checked and not checked["names"] and "names" not in problems:
        problems["names"] = _("Give the indicator a name in at least one language.")
    if "concept" in values:
        checked["concept"] = str(values["concept"] or "")
        if checked["concept"] not in enums.Concept.values:
            problems["concept"] = _("Choose what the indicator measures.")
    if "unit_measure" in values:
        checked["unit_measure"] = str(values["unit_measure"] or "")
        if checked["unit_measure"] not in enums.UnitOfMeasure.values:
            problems["unit_measure"] = _("Choose the unit the figures are in.")
    if "decimals" in values:
        decimals = values["decimals"]
        if (
            not isinstance(decimals, int)
            or isinstance(decimals, bool)
            or not 0 <= decimals <= MAX_DECIMALS
        ):
            problems["decimals"] = _("Decimals shown: a whole number from 0 to %(most)d.") % {
                "most": MAX_DECIMALS
            }
        checked["decimals"] = decimals
    if "dimensions" in values:
        dimensions = list(dict.fromkeys(str(d).strip() for d in values["dimensions"] or ()))
        dimensions = [d for d in dimensions if d]
        bad = [d for d in dimensions if not enums.DIMENSION_ID.match(d)]
        reserved = [d for d in dimensions if d in RESERVED_IDS]
        if bad:
            problems["dimensions"] = _(
                "Not a dimension id: %(ids)s. An id begins with a letter, then letters, "
                "digits, _, @, $ or - (no spaces, no dots)."
            ) % {"ids": ", ".join(bad)}
        elif reserved:
            problems["dimensions"] = _(
                "%(ids)s is not a dimension to list: the period is always there, and values "
                "and their flags are not dimensions."
            ) % {"ids": ", ".join(reserved)}
        checked["dimensions"] = dimensions
    if "source" in values:
        checked["source"] = str(values["source"] or "").strip()
        if not checked["source"]:
            problems["source"] = _("Name the source of the figures.")
        elif len(checked["source"]) > _SOURCE_MAX:
            problems["source"] = _("The source is at most %(most)d characters long.") % {
                "most": _SOURCE_MAX
            }
    if "periodicity" in values:
        checked["periodicity"] = str(values["periodicity"] or "")
        if checked["periodicity"] not in enums.Periodicity.values:
            problems["periodicity"] = _("Choose how often the figures are released.")
    if problems:
        raise ValidationError(problems)
    return checked


@transaction.atomic
def create_indicator(
    *,
    actor: User | None,
    code: str,
    names: Mapping[str, str],
    definitions: Mapping[str, str],
    notes: Mapping[str, str],
    concept: str,
    unit_measure: str,
    decimals: int,
    dimensions: list[str],
    source: str,
    periodicity: str,
) -> Indicator:
    """A new indicator of the registry. Needs ``MANAGE_OBSERVATORY`` (PermissionDenied); a
    code already taken, or any field that does not fit, is a ValidationError by field.

    Side effects: audit ``observatory.indicator.created``."""
    _require_analyst(actor)
    fields = _checked_fields(
        {
            "code": code,
            "names": names,
            "definitions": definitions,
            "notes": notes,
            "concept": concept,
            "unit_measure": unit_measure,
            "decimals": decimals,
            "dimensions": dimensions,
            "source": source,
            "periodicity": periodicity,
        }
    )
    if Indicator.objects.filter(code=fields["code"]).exists():
        raise ValidationError({"code": _("Another indicator has this code already.")})
    indicator = Indicator.objects.create(**fields)
    audit.record(
        action="observatory.indicator.created",
        actor=actor,
        obj=indicator,
        data={"code": indicator.code},
    )
    return indicator


@transaction.atomic
def update_indicator(*, indicator: Indicator, actor: User | None, **changes: Any) -> Indicator:
    """Change the fields of ``indicator`` named in ``INDICATOR_FIELDS``. The code may change
    only while no dataset names it (its versions' public addresses hold it). Needs
    ``MANAGE_OBSERVATORY``; ValidationError by field for what does not fit.

    Side effects: audit ``observatory.indicator.updated`` with the names of the fields
    changed (none when nothing changed: no entry)."""
    unknown = set(changes) - INDICATOR_FIELDS
    if unknown:
        raise TypeError(f"update_indicator() got unknown fields: {sorted(unknown)}")
    _require_analyst(actor)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    checked = _checked_fields(changes)
    changed = sorted(name for name, value in checked.items() if getattr(indicator, name) != value)
    if not changed:
        return indicator
    if "code" in changed:
        if indicator.datasets.exists():
            raise ValidationError(
                {
                    "code": _(
                        "The code cannot change: datasets of this indicator are known by it "
                        "(their addresses hold it)."
                    )
                }
            )
        if Indicator.objects.filter(code=checked["code"]).exclude(pk=indicator.pk).exists():
            raise ValidationError({"code": _("Another indicator has this code already.")})
    for name in changed:
        setattr(indicator, name, checked[name])
    indicator.save(update_fields=[*changed, "updated_at"])
    audit.record(
        action="observatory.indicator.updated",
        actor=actor,
        obj=indicator,
        data={"fields": changed},
    )
    return indicator

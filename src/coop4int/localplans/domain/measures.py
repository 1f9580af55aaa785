"""A plan's objectives, its measures and their indicators, the progress its partners report,
and the list of intervention areas.

> Each measure belongs to an objective of its plan and to an active intervention area; it runs
> within the plan's years; its funding shares, when any is given, add up to 100 %. Its
> progress is a percentage, 100 when done. An indicator's values come from the partners, from
> an observatory indicator or from a count of the platform's records; its targets are for
> years of the plan.

A plan's content is written only while ``texts.plan_editable``; a measure's progress and
status also once the plan is approved or in force (``texts.progress_updatable``). Who may call
what is the views' (``has_perm``); these functions check states and data only, and on bad
input raise ``ValidationError`` (translated, with a ``code``) having changed nothing. Every
change to a plan is one ``PlanChange`` and one audit entry (``domain.history``)."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.core import audit
from coop4int.directory.models import Organization
from coop4int.localplans.domain.history import record_change
from coop4int.localplans.domain.plans import checked_texts, locked, require_editable
from coop4int.localplans.enums import (
    DefaultArea,
    Direction,
    IndicatorSource,
    IndicatorUnit,
    LinkKind,
    MeasureStatus,
    PlanStatus,
    PlatformCount,
    ReportStatus,
)
from coop4int.localplans.models import (
    FundingSource,
    IndicatorTarget,
    InterventionArea,
    Measure,
    MeasureIndicator,
    MeasureLink,
    Objective,
    Plan,
    ReportValue,
)
from coop4int.localplans.texts import progress_updatable

_OBJECTIVE_CODE_MAX = Objective._meta.get_field("code").max_length or 12
_MEASURE_CODE_MAX = Measure._meta.get_field("code").max_length or 12
_INDICATOR_CODE_MAX = MeasureIndicator._meta.get_field("code").max_length or 16
_OBSERVATORY_CODE_MAX = MeasureIndicator._meta.get_field("observatory_code").max_length or 40
_FUNDING_NAME_MAX = FundingSource._meta.get_field("name").max_length or 200
_LINK_REF_MAX = MeasureLink._meta.get_field("ref").max_length or 120
_AREA_CODE_MAX = InterventionArea._meta.get_field("code").max_length or 40
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_AREA_CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
# The largest weight (6 digits, 2 decimals) and amount (14 digits, 2 decimals) stored.
_MAX_WEIGHT = Decimal("9999.99")
_MAX_AMOUNT = Decimal("999999999999.99")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def _when(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- Checks -------------------------------------------------------------------------------------


def _checked_code(value: str, *, most: int) -> str:
    code = (value or "").strip()
    if not _CODE.match(code) or len(code) > most:
        raise ValidationError(
            _(
                "A number is at most %(most)d letters, digits, dots, hyphens and underscores, "
                "with no spaces (for example M1.2)."
            )
            % {"most": most},
            code="code_invalid",
        )
    return code


def _free_code(
    value: str, *, most: int, siblings: QuerySet[Any], current: Model | None, taken: str
) -> str:
    """``value`` checked as a number (``_checked_code``) that none of ``siblings`` but
    ``current`` has; ``taken`` says so otherwise (with ``%(code)s``)."""
    code = _checked_code(value, most=most)
    others = siblings.filter(code=code)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise ValidationError(taken % {"code": code}, code="code_taken")
    return code


def _amount(value: Any, *, maximum: Decimal, message: str, code: str) -> Decimal:
    """``value`` as a Decimal from 0 to ``maximum`` with at most two decimals, else
    ValidationError ``message``."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(message, code=code) from None
    if not amount.is_finite() or amount < 0 or amount > maximum or amount != amount.quantize(_CENT):
        raise ValidationError(message, code=code)
    return amount


def _signed(value: Any, *, message: str, code: str) -> Decimal:
    """``value`` as a Decimal with at most two decimals, positive or negative."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(message, code=code) from None
    if not number.is_finite() or abs(number) > _MAX_AMOUNT or number != number.quantize(_CENT):
        raise ValidationError(message, code=code)
    return number


def _weight(value: Any) -> Decimal:
    return _amount(
        value,
        maximum=_MAX_WEIGHT,
        message=_("A weight is a number from 0 to 9999.99 (0: the item does not count)."),
        code="weight_invalid",
    )


def _checked_area(area: InterventionArea, *, current: InterventionArea | None) -> InterventionArea:
    """An area offered for new measures; the one already held may stay though retired since."""
    if not isinstance(area, InterventionArea) or not area.pk:
        raise ValidationError(_("Choose an intervention area."), code="area_unknown")
    if not area.active and (current is None or current.pk != area.pk):
        raise ValidationError(
            _("This intervention area is no longer offered: choose another."),
            code="area_retired",
        )
    return area


def _dated(plan: Plan, starts_on: date, ends_on: date) -> None:
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise ValidationError(_("Give the measure's start and end."), code="dates_missing")
    if ends_on < starts_on:
        raise ValidationError(_("The measure cannot end before it starts."), code="dates_unordered")
    if starts_on.year < plan.starts_year or ends_on.year > plan.ends_year:
        raise ValidationError(
            _("The measure runs within the plan's period, %(first)d to %(last)d.")
            % {"first": plan.starts_year, "last": plan.ends_year},
            code="dates_outside_plan",
        )


def _organisation(value: Any, message: str) -> Organization:
    if not isinstance(value, Organization) or not value.pk:
        raise ValidationError(message, code="organisation_unknown")
    return value


# --- Objectives ---------------------------------------------------------------------------------


def _objective_fields(
    plan: Plan,
    *,
    code: str,
    area: InterventionArea,
    title: dict[str, str],
    weight: Decimal,
    current: Objective | None,
) -> dict[str, Any]:
    checked_code = _free_code(
        code, most=_OBJECTIVE_CODE_MAX, siblings=Objective.objects.filter(plan=plan),
        current=current, taken=_("Another objective of the plan has the number %(code)s."),
    )  # fmt: skip
    return {
        "code": checked_code,
        "area": _checked_area(area, current=current.area if current is not None else None),
        "title": checked_texts(
            title,
            required=True,
            missing=_("Say what the objective is in at least one language."),
            code="title_missing",
        ),
        "weight": _weight(weight),
    }


@transaction.atomic
def add_objective(
    *,
    actor: User | None,
    plan: Plan,
    code: str,
    area: InterventionArea,
    title: dict[str, str],
    weight: Decimal = Decimal(1),
    now: datetime | None = None,
) -> Objective:
    """A new objective of ``plan``, last in its order: a number not taken in the plan, an
    active area, a text, a weight in the plan's progress.

    Side effects: one Objective; history and audit ``localplans.objective.added``."""
    at = _when(now)
    locked(plan)
    require_editable(plan)
    fields = _objective_fields(plan, code=code, area=area, title=title, weight=weight, current=None)
    objective = Objective.objects.create(
        plan=plan, position=Objective.objects.filter(plan=plan).count(), **fields
    )
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.objective.added",
        obj=objective,
        details={"objective": objective.code, "area": objective.area.code},
        at=at,
    )
    return objective


@transaction.atomic
def update_objective(
    *,
    actor: User | None,
    objective: Objective,
    code: str,
    area: InterventionArea,
    title: dict[str, str],
    weight: Decimal,
    now: datetime | None = None,
) -> Objective:
    """Change an objective (its number stays unique in the plan; a retired area it holds may
    stay). Nothing changed: nothing written.

    Side effects: the Objective; history and audit ``localplans.objective.updated`` with the
    names of the fields changed."""
    at = _when(now)
    plan = locked(objective.plan)
    require_editable(plan)
    fields = _objective_fields(
        plan, code=code, area=area, title=title, weight=weight, current=objective
    )
    changed = sorted(name for name, value in fields.items() if getattr(objective, name) != value)
    if not changed:
        return objective
    before = objective.code
    for name in changed:
        setattr(objective, name, fields[name])
    objective.save(update_fields=changed)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.objective.updated",
        obj=objective,
        details={"objective": before, "fields": changed},
        at=at,
    )
    return objective


# --- Measures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Funding:
    """A source paying ``share`` per cent of a measure's budget."""

    name: str
    share: Decimal


@dataclass(frozen=True, slots=True)
class MeasureDetails:
    """What a measure is (``add_measure``, ``update_measure``)."""

    objective: Objective
    area: InterventionArea
    code: str
    title: dict[str, str]
    description: dict[str, str]
    target_group: dict[str, str]
    responsible: Organization
    partners: Sequence[Organization]
    starts_on: date
    ends_on: date
    budget: Decimal
    weight: Decimal
    funding: Sequence[Funding]
    links: Sequence[tuple[LinkKind, str]]


def _checked_funding(funding: Sequence[Funding]) -> list[tuple[str, Decimal]]:
    rows: list[tuple[str, Decimal]] = []
    for source in funding:
        name = " ".join((source.name or "").split())
        if not name or len(name) > _FUNDING_NAME_MAX:
            raise ValidationError(
                _("Name each funding source (at most %(most)d characters).")
                % {"most": _FUNDING_NAME_MAX},
                code="funding_unnamed",
            )
        share = _amount(
            source.share,
            maximum=_HUNDRED,
            message=_("A funding share is a percentage from 0 to 100."),
            code="share_invalid",
        )
        rows.append((name, share))
    if len({name for name, _share in rows}) != len(rows):
        raise ValidationError(_("Each funding source is listed once."), code="funding_repeated")
    if rows and sum(share for _name, share in rows) != _HUNDRED:
        raise ValidationError(
            _("The funding shares add up to %(total)s %%; they must add up to 100 %%.")
            % {"total": sum(share for _name, share in rows)},
            code="shares_not_100",
        )
    return rows


def _checked_links(links: Sequence[tuple[LinkKind, str]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for kind, ref in links:
        if kind not in LinkKind.values:
            raise ValidationError(
                _("Choose what the measure links to: a service, a campaign or a course."),
                code="link_kind_unknown",
            )
        reference = (ref or "").strip()
        if not reference or len(reference) > _LINK_REF_MAX:
            raise ValidationError(
                _("Give the reference of each link (at most %(most)d characters).")
                % {"most": _LINK_REF_MAX},
                code="link_ref_invalid",
            )
        if (str(kind), reference) not in rows:
            rows.append((str(kind), reference))
    return sorted(rows)


def _measure_fields(
    plan: Plan, details: MeasureDetails, *, current: Measure | None
) -> dict[str, Any]:
    """``details`` checked and in stored form: the measure's fields, and ``partners`` (sorted
    ids), ``funding`` and ``links`` (lists of pairs)."""
    objective = details.objective
    if not isinstance(objective, Objective) or objective.plan_id != plan.pk:
        raise ValidationError(_("Choose one of the plan's objectives."), code="objective_unknown")
    code = _free_code(
        details.code, most=_MEASURE_CODE_MAX, siblings=Measure.objects.filter(plan=plan),
        current=current, taken=_("Another measure of the plan has the number %(code)s."),
    )  # fmt: skip
    title = checked_texts(
        details.title,
        required=True,
        missing=_("Give the measure a title in at least one language."),
        code="title_missing",
    )
    responsible = _organisation(
        details.responsible, _("Choose the organisation responsible from the directory.")
    )
    partners = sorted(
        {
            str(_organisation(p, _("Choose the partners from the directory.")).pk)
            for p in details.partners
        }
    )
    _dated(plan, details.starts_on, details.ends_on)
    return {
        "objective": objective,
        "area": _checked_area(details.area, current=current.area if current is not None else None),
        "code": code,
        "title": title,
        "description": checked_texts(details.description, required=False, missing="", code=""),
        "target_group": checked_texts(details.target_group, required=False, missing="", code=""),
        "responsible": responsible,
        "starts_on": details.starts_on,
        "ends_on": details.ends_on,
        "budget": _amount(
            details.budget,
            maximum=_MAX_AMOUNT,
            message=_("The budget is an amount in escudos, 0 or more, with at most 2 decimals."),
            code="budget_invalid",
        ),
        "weight": _weight(details.weight),
        "partners": partners,
        "funding": _checked_funding(details.funding),
        "links": _checked_links(details.links),
    }


_RELATED = ("partners", "funding", "links")


def _write_related(measure: Measure, fields: Mapping[str, Any], names: Sequence[str]) -> None:
    if "partners" in names:
        measure.partners.set(Organization.objects.filter(pk__in=fields["partners"]))
    if "funding" in names:
        measure.funding.all().delete()
        FundingSource.objects.bulk_create(
            FundingSource(measure=measure, name=name, share=share, position=n)
            for n, (name, share) in enumerate(fields["funding"])
        )
    if "links" in names:
        measure.links.all().delete()
        MeasureLink.objects.bulk_create(
            MeasureLink(measure=measure, kind=kind, ref=ref) for kind, ref in fields["links"]
        )


def _stored_related(measure: Measure) -> dict[str, Any]:
    return {
        "partners": sorted(str(pk) for pk in measure.partners.values_list("pk", flat=True)),
        "funding": [(f.name, f.share) for f in measure.funding.all()],
        "links": sorted((link.kind, link.ref) for link in measure.links.all()),
    }


@transaction.atomic
def add_measure(
    *, actor: User | None, plan: Plan, details: MeasureDetails, now: datetime | None = None
) -> Measure:
    """A new measure of ``plan``, last in its order, planned and at 0 %: under one of the
    plan's objectives and an active area, a number not taken in the plan, running within the
    plan's years, funding shares adding up to 100 % when any is given.

    Side effects: one Measure with its partners, FundingSource and MeasureLink rows; history
    and audit ``localplans.measure.added``."""
    at = _when(now)
    locked(plan)
    require_editable(plan)
    fields = _measure_fields(plan, details, current=None)
    related = {name: fields.pop(name) for name in _RELATED}
    measure = Measure.objects.create(
        plan=plan,
        position=Measure.objects.filter(plan=plan).count(),
        status=MeasureStatus.PLANNED,
        progress=0,
        **fields,
    )
    _write_related(measure, related, _RELATED)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.measure.added",
        obj=measure,
        details={
            "measure": measure.code,
            "objective": measure.objective.code,
            "area": measure.area.code,
        },
        at=at,
    )
    return measure


@transaction.atomic
def update_measure(
    *, actor: User | None, measure: Measure, details: MeasureDetails, now: datetime | None = None
) -> Measure:
    """Change what a measure is (not its progress: ``update_progress``), under the same rules
    as ``add_measure``; an area it holds that was retired since may stay. Nothing changed:
    nothing written.

    Side effects: the Measure, its partners, FundingSource and MeasureLink rows as changed;
    history and audit ``localplans.measure.updated`` with the names of the fields changed."""
    at = _when(now)
    plan = locked(measure.plan)
    require_editable(plan)
    fields = _measure_fields(plan, details, current=measure)
    related = {name: fields.pop(name) for name in _RELATED}
    changed = sorted(name for name, value in fields.items() if getattr(measure, name) != value)
    stored = _stored_related(measure)
    changed_related = [name for name in _RELATED if stored[name] != related[name]]
    if not changed and not changed_related:
        return measure
    before = measure.code
    for name in changed:
        setattr(measure, name, fields[name])
    if changed:
        measure.save(update_fields=changed)
    _write_related(measure, related, changed_related)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.measure.updated",
        obj=measure,
        details={"measure": before, "fields": sorted([*changed, *changed_related])},
        at=at,
    )
    return measure


@transaction.atomic
def update_progress(
    *,
    actor: User | None,
    measure: Measure,
    progress: int,
    status: MeasureStatus,
    note: str = "",
    now: datetime | None = None,
) -> Measure:
    """Report a measure's progress (a whole percentage, 100 when done) and status, with a note.
    Allowed while the plan is a draft, approved or in force.

    Side effects: the Measure's progress, status, note and the time of the update; history and
    audit ``localplans.measure.progress_updated`` with the progress and status before and
    after (not the note)."""
    at = _when(now)
    plan = locked(measure.plan)
    if not progress_updatable(plan):
        raise ValidationError(
            _(
                "Progress cannot be reported in the plan's present state (%(status)s): it is "
                "reported while the plan is a draft, approved or in force."
            )
            % {"status": PlanStatus(plan.status).label},
            code="plan_frozen",
        )
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        raise ValidationError(
            _("Progress is a whole percentage from 0 to 100."), code="progress_invalid"
        )
    if status not in MeasureStatus.values:
        raise ValidationError(_("Choose the measure's status."), code="status_unknown")
    if status == MeasureStatus.DONE and progress != 100:
        raise ValidationError(
            _("A measure that is done is at 100 %; give 100 or choose another status."),
            code="done_not_complete",
        )
    before = {"progress": measure.progress, "status": str(measure.status)}
    measure.progress = progress
    measure.status = status
    measure.progress_note = (note or "").strip()
    measure.progress_updated_at = at
    measure.save(update_fields=["progress", "status", "progress_note", "progress_updated_at"])
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.measure.progress_updated",
        obj=measure,
        details={
            "measure": measure.code,
            "from": before,
            "to": {"progress": progress, "status": str(status)},
        },
        at=at,
    )
    return measure


# --- Indicators ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorDetails:
    """What an indicator of a measure is (``add_indicator``, ``update_indicator``)."""

    code: str
    name: dict[str, str]
    unit: IndicatorUnit
    direction: Direction
    baseline: Decimal | None
    baseline_year: int | None
    source: IndicatorSource
    observatory_code: str
    observatory_series: dict[str, str]
    platform_count: str
    # Year -> target, years within the plan.
    targets: Mapping[int, Decimal]


def _indicator_fields(
    measure: Measure, details: IndicatorDetails, *, current: MeasureIndicator | None
) -> dict[str, Any]:
    """``details`` checked and in stored form: the indicator's fields and ``targets`` (a sorted
    list of (year, value))."""
    plan = measure.plan
    code = _free_code(
        details.code, most=_INDICATOR_CODE_MAX,
        siblings=MeasureIndicator.objects.filter(measure=measure), current=current,
        taken=_("Another indicator of the measure has the number %(code)s."),
    )  # fmt: skip
    name = checked_texts(
        details.name,
        required=True,
        missing=_("Name the indicator in at least one language."),
        code="name_missing",
    )
    if details.unit not in IndicatorUnit.values:
        raise ValidationError(_("Choose the indicator's unit."), code="unit_unknown")
    if details.direction not in Direction.values:
        raise ValidationError(_("Say whether higher or lower is better."), code="direction_unknown")
    baseline = None
    if details.baseline is not None:
        baseline = _signed(
            details.baseline,
            message=_("The baseline is a number with at most 2 decimals."),
            code="baseline_invalid",
        )
    baseline_year = details.baseline_year
    if baseline_year is not None and (
        not isinstance(baseline_year, int)
        or isinstance(baseline_year, bool)
        or not 1900 <= baseline_year <= plan.ends_year
    ):
        raise ValidationError(
            _("The baseline's year is a year up to %(last)d.") % {"last": plan.ends_year},
            code="baseline_year_invalid",
        )
    source = details.source
    observatory_code = ""
    series: dict[str, str] = {}
    platform_count = ""
    if source == IndicatorSource.OBSERVATORY:
        observatory_code = (details.observatory_code or "").strip()
        if not observatory_code or len(observatory_code) > _OBSERVATORY_CODE_MAX:
            raise ValidationError(
                _("Choose the observatory's indicator the values come from."),
                code="observatory_code_missing",
            )
        series = {
            str(key).strip(): str(value).strip()
            for key, value in (details.observatory_series or {}).items()
            if str(key).strip()
        }
    elif source == IndicatorSource.PLATFORM:
        platform_count = details.platform_count or ""
        if platform_count not in PlatformCount.values:
            raise ValidationError(
                _("Choose the platform's count the values come from."),
                code="platform_count_missing",
            )
    elif source != IndicatorSource.MANUAL:
        raise ValidationError(
            _("Choose where the indicator's values come from."), code="source_unknown"
        )
    targets: list[tuple[int, Decimal]] = []
    for year, value in (details.targets or {}).items():
        if not isinstance(year, int) or not plan.starts_year <= year <= plan.ends_year:
            raise ValidationError(
                _("Targets are for years of the plan, %(first)d to %(last)d.")
                % {"first": plan.starts_year, "last": plan.ends_year},
                code="target_year_outside_plan",
            )
        targets.append(
            (
                year,
                _signed(
                    value,
                    message=_("A target is a number with at most 2 decimals."),
                    code="target_invalid",
                ),
            )
        )
    return {
        "code": code,
        "name": name,
        "unit": str(details.unit),
        "direction": str(details.direction),
        "baseline": baseline,
        "baseline_year": baseline_year,
        "source": str(source),
        "observatory_code": observatory_code,
        "observatory_series": series,
        "platform_count": platform_count,
        "targets": sorted(targets),
    }


def _write_targets(indicator: MeasureIndicator, targets: Sequence[tuple[int, Decimal]]) -> None:
    IndicatorTarget.objects.filter(indicator=indicator).delete()
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, year=year, value=value) for year, value in targets
    )


@transaction.atomic
def add_indicator(
    *,
    actor: User | None,
    measure: Measure,
    details: IndicatorDetails,
    now: datetime | None = None,
) -> MeasureIndicator:
    """A new indicator of ``measure``, last in its order, with its targets by year.

    Side effects: one MeasureIndicator and its IndicatorTarget rows; history and audit
    ``localplans.indicator.added``."""
    at = _when(now)
    plan = locked(measure.plan)
    require_editable(plan)
    fields = _indicator_fields(measure, details, current=None)
    targets = fields.pop("targets")
    indicator = MeasureIndicator.objects.create(
        measure=measure,
        position=MeasureIndicator.objects.filter(measure=measure).count(),
        **fields,
    )
    _write_targets(indicator, targets)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.indicator.added",
        obj=indicator,
        details={"measure": measure.code, "indicator": indicator.code, "source": indicator.source},
        at=at,
    )
    return indicator


@transaction.atomic
def update_indicator(
    *,
    actor: User | None,
    indicator: MeasureIndicator,
    details: IndicatorDetails,
    now: datetime | None = None,
) -> MeasureIndicator:
    """Change an indicator and its targets. Nothing changed: nothing written.

    Side effects: the MeasureIndicator, its IndicatorTarget rows when they changed; history
    and audit ``localplans.indicator.updated`` with the names of the fields changed."""
    at = _when(now)
    measure = indicator.measure
    plan = locked(measure.plan)
    require_editable(plan)
    fields = _indicator_fields(measure, details, current=indicator)
    targets = fields.pop("targets")
    changed = sorted(name for name, value in fields.items() if getattr(indicator, name) != value)
    stored_targets = sorted(indicator.targets.values_list("year", "value"))
    targets_changed = stored_targets != targets
    if not changed and not targets_changed:
        return indicator
    before = indicator.code
    for name in changed:
        setattr(indicator, name, fields[name])
    if changed:
        indicator.save(update_fields=changed)
    if targets_changed:
        _write_targets(indicator, targets)
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.indicator.updated",
        obj=indicator,
        details={
            "measure": measure.code,
            "indicator": before,
            "fields": sorted([*changed, *(["targets"] if targets_changed else [])]),
        },
        at=at,
    )
    return indicator


@transaction.atomic
def remove_indicator(
    *, actor: User | None, indicator: MeasureIndicator, now: datetime | None = None
) -> None:
    """Remove an indicator with its targets and the values draft reports hold of it. Refused
    when an approved report holds a value of it (what AAI approved stays whole).

    Side effects: the MeasureIndicator deleted (with its targets and draft values); history
    and audit ``localplans.indicator.removed``."""
    at = _when(now)
    measure = indicator.measure
    plan = locked(measure.plan)
    require_editable(plan)
    if ReportValue.objects.filter(
        indicator=indicator, report__status__in=(ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    ).exists():
        raise ValidationError(
            _(
                "The indicator cannot be removed: a monitoring report approved or waiting for "
                "approval holds its values."
            ),
            code="indicator_reported",
        )
    details = {"measure": measure.code, "indicator": indicator.code}
    indicator.delete()
    record_change(
        plan=plan,
        actor=actor,
        action="localplans.indicator.removed",
        obj=measure,
        details=details,
        at=at,
    )


# --- Intervention areas -------------------------------------------------------------------------


@transaction.atomic
def configure_area(
    *, actor: User | None, code: str, names: dict[str, str], position: int, active: bool
) -> InterventionArea:
    """Create the area ``code`` or change its names, position and whether it is offered for new
    measures. A default area without names is called by the interface's translations; any
    other needs a name in at least one language.

    Side effects: the InterventionArea; audit ``localplans.area.configured`` (no plan's
    history)."""
    checked_code = (code or "").strip()
    if not _AREA_CODE.match(checked_code) or len(checked_code) > _AREA_CODE_MAX:
        raise ValidationError(
            _(
                "An area's code is at most %(most)d lower-case letters and digits, joined by "
                "hyphens or underscores."
            )
            % {"most": _AREA_CODE_MAX},
            code="code_invalid",
        )
    texts = checked_texts(
        names,
        required=checked_code not in DefaultArea.values,
        missing=_("Name the area in at least one language."),
        code="name_missing",
    )
    if not isinstance(position, int) or isinstance(position, bool) or not 0 <= position <= 32767:
        raise ValidationError(
            _("The position is a whole number from 0 to 32767."), code="position_invalid"
        )
    area, created = InterventionArea.objects.select_for_update().get_or_create(
        code=checked_code,
        defaults={"names": texts, "position": position, "active": bool(active)},
    )
    changed: list[str] = []
    if not created:
        values = {"names": texts, "position": position, "active": bool(active)}
        changed = sorted(name for name, value in values.items() if getattr(area, name) != value)
        if not changed:
            return area
        for name in changed:
            setattr(area, name, values[name])
        area.save(update_fields=changed)
    audit.record(
        action="localplans.area.configured",
        actor=actor,
        obj=area,
        data={
            "code": area.code,
            "created": created,
            "fields": changed,
            "active": area.active,
        },
    )
    return area

"""Helpers for the local plans' tests: a plan with its municipalities, one objective and its
measures, each measure with a manual indicator and its targets; organisations, coordinators
and partner users.

They write rows directly (no history, no audit): the domain's own tests call the domain.
Everything is dated from ``NOW`` (Monday 2 March 2026, 09:00 in Praia) and plans run from
2025 to 2027 unless told; pass ``now=`` to the domain, never today."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from coop4int.accounts.enums import Role, UnitKind
from coop4int.accounts.models import Unit, User
from coop4int.accounts.tests.factories import StaffFactory, UnitFactory
from coop4int.directory.models import Organization
from coop4int.localplans.enums import (
    Direction,
    IndicatorSource,
    IndicatorUnit,
    MeasureStatus,
    PlanStatus,
)
from coop4int.localplans.models import (
    FundingSource,
    IndicatorTarget,
    InterventionArea,
    Measure,
    MeasureIndicator,
    Objective,
    Plan,
    PlanMunicipality,
)

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Monday 2 March 2026, 09:00 in Praia.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=PRAIA)

_APPROVED_STATUSES = (PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.CLOSED)


@contextmanager
def refused(code: str) -> Iterator[None]:
    """``with refused("plan_frozen"):`` — the block raises a ValidationError with that code."""
    with pytest.raises(ValidationError) as caught:
        yield
    assert caught.value.code == code, caught.value


def area(code: str = "reception") -> InterventionArea:
    """An intervention area by code (the fourteen defaults exist; another is created)."""
    found, _created = InterventionArea.objects.get_or_create(
        code=code, defaults={"names": {"en": code.capitalize()}, "position": 99}
    )
    return found


def make_unit(*, municipality: str = "Praia", kind: str = UnitKind.LOCAL_UNIT) -> Unit:
    """A unit in ``municipality`` (by name, as units hold it)."""
    return UnitFactory(municipality=municipality, kind=kind)


def make_organisation(name: str, unit: Unit | None = None) -> Organization:
    """A directory organisation, kept by ``unit`` when given (its partner users then update the
    measures it is responsible for)."""
    return Organization.objects.create(name=name, description=f"What {name} does.", unit=unit)


def make_user(*roles: str, unit: Unit | None = None, username: str | None = None) -> User:
    """A member of staff holding ``roles`` in ``unit`` (a new unit in Praia when not given)."""
    kwargs: dict[str, Any] = {"roles": list(roles), "unit": unit or make_unit()}
    if username:
        kwargs["username"] = username
    user: User = StaffFactory(**kwargs)
    return user


def make_coordinator(municipality: str = "Praia", *, username: str | None = None) -> User:
    """A municipal coordinator whose unit is in ``municipality`` (a name: "Praia", "Sal")."""
    return make_user(
        Role.MUNICIPAL_COORDINATOR, unit=make_unit(municipality=municipality), username=username
    )


def make_admin(*, username: str | None = None) -> User:
    """An administrator of AAI (nationwide): approves plans and reports."""
    return make_user(
        Role.ADMINISTRATOR,
        unit=make_unit(municipality="Praia", kind=UnitKind.NATIONAL_AUTHORITY),
        username=username,
    )


def make_partner(organisation: Organization, *, username: str | None = None) -> User:
    """A partner user of the unit keeping ``organisation`` (one is given to it if it has none)."""
    if organisation.unit is None:
        organisation.unit = make_unit(kind=UnitKind.PARTNER)
        organisation.save(update_fields=["unit"])
    assert organisation.unit is not None
    return make_user(Role.PARTNER_USER, unit=organisation.unit, username=username)


def make_objective(
    plan: Plan,
    *,
    code: str = "O1",
    area_code: str = "reception",
    title: Mapping[str, str] | None = None,
    weight: Decimal = Decimal(1),
    position: int = 0,
) -> Objective:
    return Objective.objects.create(
        plan=plan,
        code=code,
        area=area(area_code),
        title=dict(title or {"pt": f"Objetivo {code}", "en": f"Objective {code}"}),
        weight=weight,
        position=position,
    )


def make_indicator(
    measure: Measure,
    *,
    code: str | None = None,
    baseline: Decimal | None = Decimal(10),
    baseline_year: int | None = None,
    targets: Mapping[int, Decimal] | None = None,
    unit: str = IndicatorUnit.PERSONS,
    direction: str = Direction.INCREASE,
    source: str = IndicatorSource.MANUAL,
    observatory_code: str = "",
    observatory_series: Mapping[str, str] | None = None,
    platform_count: str = "",
    name: Mapping[str, str] | None = None,
) -> MeasureIndicator:
    """An indicator of ``measure`` (code "<measure code>.<n>"), its targets by year (by default
    20, 30, 40… over the plan's years)."""
    plan = measure.plan
    position = measure.indicators.count()
    code = code or f"{measure.code}.{position + 1}"
    indicator = MeasureIndicator.objects.create(
        measure=measure,
        code=code,
        name=dict(name or {"pt": f"Indicador {code}", "en": f"Indicator {code}"}),
        unit=unit,
        direction=direction,
        baseline=baseline,
        baseline_year=baseline_year if baseline_year is not None else plan.starts_year - 1,
        source=source,
        observatory_code=observatory_code,
        observatory_series=dict(observatory_series or {}),
        platform_count=platform_count,
        position=position,
    )
    if targets is None:
        targets = {
            year: Decimal(20 + 10 * n)
            for n, year in enumerate(range(plan.starts_year, plan.ends_year + 1))
        }
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, year=year, value=value)
        for year, value in sorted(targets.items())
    )
    return indicator


def make_measure(
    plan: Plan,
    *,
    code: str | None = None,
    objective: Objective | None = None,
    area_code: str | None = None,
    title: Mapping[str, str] | None = None,
    responsible: Organization | None = None,
    partners: Iterable[Organization] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    budget: Decimal = Decimal(100000),
    weight: Decimal = Decimal(1),
    status: str = MeasureStatus.PLANNED,
    progress: int = 0,
    funding: Sequence[tuple[str, Decimal]] = (
        ("EU fund", Decimal(75)),
        ("Municipality", Decimal(25)),
    ),
    indicators: int = 1,
) -> Measure:
    """A measure of ``plan`` under ``objective`` (the plan's first, or a new "O1"), running
    over the plan's whole period, with its funding and ``indicators`` manual indicators."""
    if objective is None:
        objective = plan.objectives.order_by("position", "code").first() or make_objective(plan)
    count = plan.measures.count()
    code = code or f"M{objective.code.removeprefix('O')}.{count + 1}"
    measure = Measure.objects.create(
        plan=plan,
        objective=objective,
        area=area(area_code) if area_code else objective.area,
        code=code,
        title=dict(title or {"pt": f"Medida {code}", "en": f"Measure {code}"}),
        description={"pt": f"Descrição da medida {code}.", "en": f"What measure {code} does."},
        target_group={"pt": "Imigrantes", "en": "Immigrants"},
        responsible=responsible or make_organisation(f"Responsible for {plan.slug} {code}"),
        starts_on=starts_on or date(plan.starts_year, 1, 1),
        ends_on=ends_on or date(plan.ends_year, 12, 31),
        budget=budget,
        weight=weight,
        status=status,
        progress=progress,
        position=count,
    )
    measure.partners.set(list(partners))
    FundingSource.objects.bulk_create(
        FundingSource(measure=measure, name=name, share=share, position=n)
        for n, (name, share) in enumerate(funding)
    )
    for _n in range(indicators):
        make_indicator(measure)
    return measure


def make_plan(
    *,
    slug: str = "praia-2025-2027",
    municipalities: Sequence[str] = ("CV-PR",),
    status: str = PlanStatus.DRAFT,
    measures: int = 2,
    starts_year: int = 2025,
    ends_year: int = 2027,
    version: int = 1,
    title: Mapping[str, str] | None = None,
    coordinating_body: Organization | None = None,
    approved_by: User | None = None,
) -> Plan:
    """A plan over ``municipalities`` (ISO codes) with one objective "O1" (area reception) and
    ``measures`` measures (M1.1, M1.2…), each with one indicator. A plan in an approved state
    carries an approval date (``NOW``)."""
    plan = Plan.objects.create(
        slug=slug,
        title=dict(title or {"pt": f"Plano {slug}", "en": f"Plan {slug}"}),
        summary={"pt": "Resumo do plano.", "en": "The plan in short."},
        analysis={"pt": "Análise do diagnóstico.", "en": "What the diagnosis found."},
        source_language="pt",
        starts_year=starts_year,
        ends_year=ends_year,
        version=version,
        status=status,
        coordinating_body=coordinating_body,
        approved_at=NOW if status in _APPROVED_STATUSES else None,
        approved_by=approved_by if status in _APPROVED_STATUSES else None,
        approved_by_username=(
            approved_by.get_username() if approved_by and status in _APPROVED_STATUSES else ""
        ),
    )
    PlanMunicipality.objects.bulk_create(
        PlanMunicipality(plan=plan, code=code) for code in municipalities
    )
    if measures:
        objective = make_objective(plan)
        for _n in range(measures):
            make_measure(plan, objective=objective)
    return plan

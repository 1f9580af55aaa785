"""The figures a plan reads from elsewhere: indicator values from the observatory and from the
platform's records (through the support desk's disclosure control), the diagnosis, and what
a measure's links delivered."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from coop4int.accounts.models import Unit
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import BookableService, Booking
from coop4int.appointments.tests.helpers import bookable_desk
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.statistics import Keys, round_count
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Course
from coop4int.learning.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
    publish_text,
)
from coop4int.localplans.domain.figures import (
    diagnosis_figures,
    indicator_value,
    link_delivery,
    units_in,
)
from coop4int.localplans.enums import IndicatorSource, LinkKind, PlatformCount
from coop4int.localplans.models import MeasureIndicator, MeasureLink, Plan
from coop4int.localplans.tests.factories import make_indicator, make_plan, make_unit
from coop4int.observatory.domain.datasets import Provenance, Row, publish_dataset, store_dataset
from coop4int.observatory.enums import Concept, DatasetOrigin, FileFormat
from coop4int.observatory.models import Dataset, Indicator
from coop4int.people.domain.people import give_consent
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person

CV = ZoneInfo("Atlantic/Cape_Verde")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=CV)
_numbers = count(1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def in_2025(month: int, day: int = 10, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=CV)


# --- Records ---------------------------------------------------------------------------------


def person(unit: Unit, *, consent: bool = True) -> Person:
    someone: Person = PersonFactory(unit=unit, nationalities=["SN"])
    if consent:
        give_consent(actor=None, person=someone, purpose=Purpose.STATISTICS,
                     method=ConsentMethod.VERBAL, at=in_2025(1, 2))  # fmt: skip
    return someone


def cases(unit: Unit, n: int, *, when: datetime | None = None, consent: bool = True) -> list[int]:
    return [
        open_case(
            actor=None,
            unit=unit,
            channel=Channel.WALK_IN,
            subject="Pedido",
            person=person(unit, consent=consent),
            body="Olá",
            at=when or in_2025(3),
        )[0].pk
        for _n in range(n)
    ]


def appointments(
    bookable: BookableService, n: int, *, status: str = BookingStatus.CHECKED_IN,
    when: datetime | None = None,
) -> list[int]:  # fmt: skip
    unit = bookable.service_at_location.service.unit
    assert unit is not None
    made = []
    for _n in range(n):
        number = next(_numbers)
        starts = (when or in_2025(4)) + timedelta(minutes=30 * number)
        made.append(
            Booking.objects.create(
                bookable=bookable, reference=f"L{number:07d}", secret_digest="0" * 64,
                starts_at=starts, ends_at=starts + timedelta(minutes=30), place_number=1,
                status=status, status_changed_at=starts, name="Ana", language="pt",
                person=person(unit), created_at=starts - timedelta(days=3),
            ).pk
        )  # fmt: skip
    return made


def course_with_session(unit: Unit, slug: str, *, starts: datetime | None = None) -> Course:
    course: Course = CourseFactory(unit=unit, slug=slug, title=f"Course {slug}")
    first = starts or in_2025(5, hour=9)
    CourseSessionFactory(course=course, days=[(first, first + timedelta(hours=3))])
    return course


def enrolments(course: Course, n: int, *, status: str = EnrolmentStatus.COMPLETED) -> list[int]:
    session = course.sessions.get()
    return [
        EnrolmentFactory(session=session, person=person(course.unit), status=status).pk
        for _n in range(n)
    ]


def published(pks: list[Any], kind: str, figure: str) -> Decimal | None:
    rounded = round_count(Keys(kind).count(pks, figure), base=5)
    return Decimal(rounded) if rounded else None


def platform_indicator(plan: Plan, which: str) -> MeasureIndicator:
    return make_indicator(
        plan.measures.first(), source=IndicatorSource.PLATFORM, platform_count=which
    )


# --- Observatory -----------------------------------------------------------------------------


def as_row(row: tuple[Any, ...]) -> Row:
    """``(period, "F._T.CV-PR", value[, obs_status, conf_status])`` as a ``Row``."""
    return Row(row[0], tuple(row[1].split(".")), *row[2:])


def observatory_dataset(
    code: str = "FOREIGN_NATIONALS",
    rows: list[tuple[Any, ...]] | None = None,
    dimensions: tuple[str, ...] = ("SEX", "CITIZENSHIP", "MUNICIPALITY"),
    publish: bool = True,
) -> Dataset:
    indicator = Indicator.objects.create(
        code=code, names={"en": "Foreign nationals", "pt": "Estrangeiros"},
        concept=Concept.FOREIGN_NATIONALS, dimensions=list(dimensions), source="INE",
    )  # fmt: skip
    rows = rows or [
        ("2021", "_T._T.CV-PR", 5230), ("2021", "F._T.CV-PR", 2410), ("2021", "M._T.CV-PR", 2820),
        ("2021", "_T.GW.CV-PR", 1900), ("2021", "_T.SN.CV-PR", 900),
        ("2021", "_T._T.CV-SV", 1200), ("2010", "_T._T.CV-PR", 4100),
        ("2025", "_T._T.CV-PR", 6000),
        ("2021", "_T.NG.CV-PR", None, "Q", "C"), ("2021", "_T._T._T", 14000),
    ]  # fmt: skip
    dataset = store_dataset(
        indicator=indicator, dimensions=dimensions, rows=[as_row(row) for row in rows],
        provenance=Provenance(source_name="INE, Censo 2021"), origin=DatasetOrigin.IMPORTED,
        actor=None, file_format=FileFormat.SDMX_CSV,
    )  # fmt: skip
    if publish:
        publish_dataset(dataset=dataset, actor=None, now=NOW)
    return dataset


def observatory_indicator(plan: Plan, series: dict[str, str], code: str = "FOREIGN_NATIONALS"):
    return make_indicator(
        plan.measures.first(), source=IndicatorSource.OBSERVATORY, observatory_code=code,
        observatory_series=series,
    )  # fmt: skip


def test_a_manual_indicator_has_no_value_from_elsewhere(db):
    plan = make_plan(measures=1)
    assert indicator_value(plan.measures.get().indicators.get(), year=2025) is None


def test_an_observatory_value_is_the_published_figure_of_the_series_in_the_plan_s_municipality(db):
    observatory_dataset()
    plan = make_plan(measures=1)
    total = observatory_indicator(plan, {"SEX": "_T"})
    women = observatory_indicator(plan, {"SEX": "F"})
    assert indicator_value(total, year=2021) == Decimal("5230.00")
    assert indicator_value(total, year=2025, semester=1) == Decimal("6000.00")
    assert indicator_value(women, year=2021) == Decimal("2410.00")
    # No figure for the year: no value (a census year's figure is not carried over).
    assert indicator_value(total, year=2024) is None


def test_a_withheld_or_unpublished_observatory_figure_is_no_value(db):
    observatory_dataset(publish=False)
    plan = make_plan(measures=1)
    assert indicator_value(observatory_indicator(plan, {}), year=2021) is None
    observatory_dataset(code="OTHER")
    withheld = observatory_indicator(plan, {"CITIZENSHIP": "NG"}, code="OTHER")
    assert indicator_value(withheld, year=2021) is None


def test_a_plan_of_several_municipalities_reads_only_a_series_naming_one(db):
    observatory_dataset()
    plan = make_plan(municipalities=("CV-PR", "CV-SV"), measures=1)
    assert indicator_value(observatory_indicator(plan, {}), year=2021) is None
    mindelo = observatory_indicator(plan, {"MUNICIPALITY": "CV-SV"})
    assert indicator_value(mindelo, year=2021) == Decimal("1200.00")


# --- Platform counts -------------------------------------------------------------------------


def test_units_are_placed_by_the_municipality_they_name(db):
    praia = make_unit(municipality=" praia ")
    by_code = make_unit(municipality="CV-PR")
    make_unit(municipality="São Vicente")
    make_unit(municipality="")
    assert set(units_in(["CV-PR"])) == {praia.pk, by_code.pk}


def test_cases_opened_in_the_plan_s_municipalities_are_counted_as_the_support_desk_rounds(db):
    praia, mindelo = make_unit(municipality="Praia"), make_unit(municipality="São Vicente")
    counted = cases(praia, 7)
    cases(praia, 3, consent=False)  # no consent to statistics: never counted
    cases(mindelo, 4)  # another municipality
    cases(praia, 2, when=datetime(2024, 12, 31, 23, 0, tzinfo=CV))  # another year
    plan = make_plan(measures=1)
    indicator = platform_indicator(plan, PlatformCount.CASES)
    value = indicator_value(indicator, year=2025)
    assert value == published(counted, "case", "cases_opened")
    assert value in (Decimal(5), Decimal(10))
    # Asked again: the same records round the same way.
    assert indicator_value(indicator, year=2025) == value
    # The first semester holds the same seven; the second none (withheld, never 0).
    assert indicator_value(indicator, year=2025, semester=1) == value
    assert indicator_value(indicator, year=2025, semester=2) is None


def test_a_count_that_rounds_to_zero_is_withheld(db, settings):
    settings.STATISTICS_SMALL_CELL = 10
    praia = make_unit(municipality="Praia")
    few = cases(praia, 3)
    plan = make_plan(measures=1)
    value = indicator_value(platform_indicator(plan, PlatformCount.CASES), year=2025)
    rounded = round_count(Keys("case").count(few, "cases_opened"), base=10)
    assert value == (Decimal(rounded) if rounded else None)
    assert value in (None, Decimal(10))


def test_appointments_attended_at_services_kept_by_the_plan_s_units(db):
    praia = make_unit(municipality="Praia")
    desk = bookable_desk(praia)
    attended = appointments(desk, 6)
    appointments(desk, 3, status=BookingStatus.NO_SHOW)
    appointments(desk, 2, status=BookingStatus.BOOKED)
    plan = make_plan(measures=1)
    value = indicator_value(platform_indicator(plan, PlatformCount.APPOINTMENTS), year=2025)
    assert value == published(attended, "booking", "appointments_attended")


def test_people_trained_are_completed_enrolments_of_courses_run_by_the_plan_s_units(db):
    praia, sal = make_unit(municipality="Praia"), make_unit(municipality="Sal")
    course = course_with_session(praia, "portugues-a1")
    completed = enrolments(course, 8)
    enrolments(course, 4, status=EnrolmentStatus.NOT_COMPLETED)
    enrolments(course, 2, status=EnrolmentStatus.ACCEPTED)
    enrolments(course_with_session(sal, "crioulo"), 5)
    plan = make_plan(measures=1)
    value = indicator_value(platform_indicator(plan, PlatformCount.PEOPLE_TRAINED), year=2025)
    assert value == published(completed, "enrolment", "people_trained_completed")
    assert value in (Decimal(5), Decimal(10))


def campaign(unit: Unit, slug: str, *, start: Any = None, languages: tuple[str, ...] = ("pt",)):
    item = ContentItem.objects.create(
        slug=slug, kind=ItemKind.CAMPAIGN, unit=unit, period_start=start,
        period_end=start + timedelta(days=30) if start else None,
    )  # fmt: skip
    for language in languages:
        publish_text(item, language=language, title=f"{slug} [{language}]")
    return item


def test_campaigns_published_in_the_plan_s_municipalities_are_counted_exactly(db):
    praia = make_unit(municipality="Praia")
    campaign(praia, "vacinas", start=in_2025(2).date())
    campaign(praia, "direitos", start=in_2025(9).date())
    campaign(praia, "antiga", start=date(2023, 1, 1))
    campaign(make_unit(municipality="Sal"), "sal", start=in_2025(2).date())
    campaign(praia, "rascunho", start=in_2025(2).date(), languages=())
    plan = make_plan(measures=1)
    indicator = platform_indicator(plan, PlatformCount.CAMPAIGNS)
    assert indicator_value(indicator, year=2025) == Decimal(2)
    assert indicator_value(indicator, year=2025, semester=1) == Decimal(1)


# --- Diagnosis -------------------------------------------------------------------------------


def test_the_diagnosis_shows_the_latest_figures_of_the_plan_s_municipality_else_the_country_s(
    db,
):
    observatory_dataset()
    observatory_dataset(code="UNPUBLISHED", publish=False)
    observatory_dataset(code="NATIONAL", rows=[("2021", "_T", 14000)], dimensions=("SEX",))
    plan = make_plan(measures=0)
    figure, national = diagnosis_figures(plan)
    assert not figure.national
    # An indicator without figures by municipality gives the country's, for context.
    assert (national.indicator.code, national.national) == ("NATIONAL", True)
    [country] = national.municipalities
    assert (country.name, country.total.value) == ("Cabo Verde (the whole country)", 14000)
    assert figure.indicator.code == "FOREIGN_NATIONALS"
    assert str(figure.name) == "Foreign nationals"
    assert (figure.period, figure.source_name, figure.public_id) == (
        "2025", "INE, Censo 2021", "FOREIGN_NATIONALS-v1",
    )  # fmt: skip
    [praia] = figure.municipalities
    assert (praia.code, praia.name, praia.total.value) == ("CV-PR", "Praia", 6000)
    # The latest period has no breakdown: none is made up.
    assert praia.by_sex == []
    assert praia.by_nationality == []


def test_the_diagnosis_breaks_the_latest_period_down_and_says_when_a_figure_is_withheld(db):
    observatory_dataset(
        rows=[
            ("2021", "_T._T.CV-PR", 5230), ("2021", "F._T.CV-PR", 2410),
            ("2021", "M._T.CV-PR", 2820), ("2021", "_T.GW.CV-PR", 1900),
            ("2021", "_T.SN.CV-PR", 900), ("2021", "_T.NG.CV-PR", None, "Q", "C"),
            ("2021", "_T._T.CV-SV", 1200),
        ]
    )  # fmt: skip
    plan = make_plan(municipalities=("CV-PR", "CV-SV"), measures=0)
    [figure] = diagnosis_figures(plan)
    praia, mindelo = figure.municipalities
    assert figure.period == "2021"
    assert [(f.code, f.value) for f in praia.by_sex] == [("F", 2410), ("M", 2820)]
    assert [(f.code, f.value) for f in praia.by_nationality] == [
        ("GW", 1900), ("SN", 900), ("NG", None),
    ]  # fmt: skip
    assert praia.by_nationality[-1].text == "confidential"
    assert praia.total.text == "5,230"
    assert (mindelo.code, mindelo.total.value, mindelo.by_sex) == ("CV-SV", 1200, [])


def test_a_plan_whose_municipalities_hold_no_figures_has_an_empty_diagnosis(db):
    observatory_dataset()
    assert diagnosis_figures(make_plan(municipalities=("CV-BR",), measures=0)) == []


# --- Links -----------------------------------------------------------------------------------


def test_a_measure_s_links_say_what_they_delivered_over_its_period(db):
    praia = make_unit(municipality="Praia")
    desk = bookable_desk(praia)
    service = desk.service_at_location.service
    appointments(desk, 10)
    course = course_with_session(praia, "portugues-a1")
    enrolments(course, 10)
    campaign(praia, "vacinas", start=in_2025(2).date(), languages=("pt", "fr"))
    plan = make_plan(measures=1)
    measure = plan.measures.get()
    for kind, ref in [
        (LinkKind.SERVICE, str(service.pk)), (LinkKind.CAMPAIGN, "vacinas"),
        (LinkKind.COURSE, "portugues-a1"), (LinkKind.COURSE, "gone"),
        (LinkKind.SERVICE, "not-a-uuid"),
    ]:  # fmt: skip
        MeasureLink.objects.create(measure=measure, kind=kind, ref=ref)
    rows = {(row.kind, row.ref): row for row in link_delivery(measure)}
    campaign_row = rows[(LinkKind.CAMPAIGN, "vacinas")]
    assert campaign_row.found
    assert campaign_row.languages == ("fr", "pt")
    assert campaign_row.delivered == "Published in Français and Português"
    assert campaign_row.label == "vacinas [pt]"
    assert campaign_row.url == "/en/info/vacinas/"
    course_row = rows[(LinkKind.COURSE, "portugues-a1")]
    assert course_row.label == "Course portugues-a1"
    assert course_row.url == "/en/training/portugues-a1/"
    assert course_row.delivered in ("5 people trained", "10 people trained")
    service_row = rows[(LinkKind.SERVICE, str(service.pk))]
    assert service_row.found
    assert service_row.label == service.name
    assert service_row.delivered.startswith(("5 appointments attended", "10 appointments"))
    assert service_row.delivered.endswith("fewer than 5 people referred")
    for missing in [(LinkKind.COURSE, "gone"), (LinkKind.SERVICE, "not-a-uuid")]:
        assert not rows[missing].found
        assert rows[missing].label == missing[1]


def test_what_a_link_delivered_outside_the_measure_s_period_is_not_counted(db):
    praia = make_unit(municipality="Praia")
    course = course_with_session(praia, "portugues-a1", starts=datetime(2024, 5, 1, 9, tzinfo=CV))
    enrolments(course, 10)
    plan = make_plan(measures=1)
    measure = plan.measures.get()
    MeasureLink.objects.create(measure=measure, kind=LinkKind.COURSE, ref="portugues-a1")
    [row] = link_delivery(measure)
    assert row.delivered == "fewer than 5 people trained"


def test_cases_are_not_counted_without_a_unit_in_the_plan_s_municipalities(db):
    cases(make_unit(municipality="Nowhere"), 10)
    plan = make_plan(measures=1)
    assert Case.objects.count() == 10
    assert indicator_value(platform_indicator(plan, PlatformCount.CASES), year=2025) is None

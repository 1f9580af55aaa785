"""The platform's own quarterly tables: who is counted (consent), each table on small records
built here, the rounding that makes splits add up and withholds small counts, the versions
(published quarters copied unchanged, corrections with a note), the periodic job — and an
attacker's linear programme over every published figure of a quarter, which narrows none of
today's below the base and gives people away when the figures are exact.

Exact figures are asserted on records whose counts are multiples of 5: those are published as
they are, whichever way the rounding would go."""

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.appointments.enums import BookingStatus
from coop4int.appointments.models import BookableService, Booking
from coop4int.appointments.tests.helpers import bookable_desk
from coop4int.cases.domain.cases import add_interaction, open_case
from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.directory.models import TaxonomyTerm
from coop4int.learning.enums import EnrolmentStatus
from coop4int.learning.models import Certificate, Course, CourseSession, Enrolment, StatusList
from coop4int.learning.tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
)
from coop4int.observatory import tasks
from coop4int.observatory.domain import platform_tables
from coop4int.observatory.domain.datasets import discard_dataset, publish_dataset
from coop4int.observatory.domain.platform_tables import (
    APPOINTMENT_WAIT,
    APPOINTMENTS,
    CASES_OPENED,
    CONTACTS,
    PEOPLE_TRAINED,
    PLATFORM_INDICATORS,
    TABLES_BY_CODE,
    Facts,
    Record,
    TablesRefused,
    build_tables,
    draft_due_tables,
    draft_platform_tables,
    one_way_key,
    quarter_bounds,
    quarter_of,
)
from coop4int.observatory.enums import TOTAL, Concept, DatasetOrigin, DatasetStatus, Periodicity
from coop4int.observatory.models import Dataset, Indicator, Observation
from coop4int.observatory.tests.platform_attack import (
    LATER,
    feasible_ranges,
    narrower_than,
    outside,
    variable,
)
from coop4int.people.domain.people import give_consent, withdraw_consent
from coop4int.people.enums import ConsentMethod, Purpose
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")  # UTC-1
Q1, Q2 = "2026-Q1", "2026-Q2"
# Thursday 2 April 2026: the first quarter has ended.
AFTER_Q1 = datetime(2026, 4, 2, 9, tzinfo=CV)
AFTER_Q2 = datetime(2026, 7, 2, 9, tzinfo=CV)
BASE = 5
_numbers = count(1)


def in_q1(day: int, month: int = 2, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CV)


# --- Records --------------------------------------------------------------------------------


class World:
    """People of ``unit`` and what they did: cases and later contacts, appointments,
    enrolments and certificates — made as the platform makes them, dated in the quarter."""

    def __init__(self, unit: Any, officer: Any) -> None:
        self.unit, self.officer = unit, officer
        self._bookable: BookableService | None = None
        self.courses: dict[str, Course] = {}
        self.sessions: dict[str, CourseSession] = {}

    def person(self, consent: str = "given", **details: Any) -> Person:
        """``consent`` to statistics: "given", "withdrawn" or "none"."""
        someone = PersonFactory(unit=self.unit, **({"nationalities": []} | details))
        if consent in ("given", "withdrawn"):
            give_consent(actor=None, person=someone, purpose=Purpose.STATISTICS,
                         method=ConsentMethod.VERBAL, at=in_q1(1, month=1))  # fmt: skip
        if consent == "withdrawn":
            withdraw_consent(actor=None, person=someone, purpose=Purpose.STATISTICS)
        return someone

    def case(
        self,
        someone: Person | None,
        *,
        when: datetime | None = None,
        channel: Channel = Channel.WALK_IN,
        topics: Iterable[TaxonomyTerm] = (),
        later: Iterable[Channel] = (),
    ) -> Case:
        """A case opened at the desk (its first contact), then ``later`` contacts from the
        person, a minute apart."""
        when = when or in_q1(10)
        case = open_case(actor=self.officer, unit=self.unit, channel=channel, subject="Pedido",
                         person=someone, body="Olá", topics=list(topics), at=when)[0]  # fmt: skip
        for n, how in enumerate(later, start=1):
            add_interaction(actor=None, case=case, channel=how, direction=Direction.IN,
                            body="Mais", is_public=True,
                            at=when + timedelta(minutes=n))  # fmt: skip
        return case

    @property
    def bookable(self) -> BookableService:
        if self._bookable is None:
            self._bookable = bookable_desk(self.unit)
        return self._bookable

    def appointment(
        self,
        someone: Person | None,
        *,
        starts: datetime | None = None,
        waited_days: float = 3,
        status: str = BookingStatus.CHECKED_IN,
    ) -> Booking:
        n = next(_numbers)
        starts = starts or in_q1(1 + n % 28) + timedelta(minutes=30 * (n % 10))
        return Booking.objects.create(
            bookable=self.bookable, reference=f"T{n:07d}", secret_digest="0" * 64,
            starts_at=starts, ends_at=starts + timedelta(minutes=30), place_number=1 + n % 2,
            status=status, status_changed_at=starts, name="Ana", language="pt",
            person=someone, created_at=starts - timedelta(days=waited_days),
        )  # fmt: skip

    def session(self, slug: str, *, starts: datetime | None = None) -> CourseSession:
        if slug not in self.sessions:
            course = CourseFactory(unit=self.unit, slug=slug, hours=Decimal(6))
            first = starts or in_q1(9, month=3, hour=9)
            self.courses[slug] = course
            self.sessions[slug] = CourseSessionFactory(
                course=course, days=[(first, first + timedelta(hours=3))]
            )
        return self.sessions[slug]

    def enrolment(
        self,
        someone: Person | None,
        course: str = "portugues-a1",
        *,
        status: str = EnrolmentStatus.COMPLETED,
        certificate: str = "",
    ) -> Enrolment:
        """``certificate``: "" none, "issued", or "revoked"."""
        enrolment = EnrolmentFactory(session=self.session(course), person=someone, status=status)
        if certificate:
            issued = in_q1(12, month=3)
            status_list = StatusList.objects.first() or StatusList.objects.create(created_at=issued)
            Certificate.objects.create(
                enrolment=enrolment, holder_name=enrolment.name, language="pt",
                credential="a.b.c", key_id="key", issued_at=issued, valid_from=issued,
                status_list=status_list, status_index=next(_numbers),
                revoked_at=issued + timedelta(days=1) if certificate == "revoked" else None,
                revocation_reason="issued_in_error" if certificate == "revoked" else "",
            )  # fmt: skip
        return enrolment


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit)


@pytest.fixture
def world(unit, officer, other_unit) -> World:
    return World(unit, officer)


@pytest.fixture
def residence(db) -> TaxonomyTerm:
    return TaxonomyTerm.objects.create(
        code="documentation-residence", name="Residência", description="",
        names={"pt": "Residência", "en": "Residence"},
    )  # fmt: skip


def figures(dataset: Dataset, period: str = Q1) -> dict[str, float | None]:
    """A draft's observations of ``period``: series key → value."""
    return dict(
        Observation.objects.filter(dataset=dataset, period=period).values_list("key", "value")
    )


def drafted(quarter: str = Q1, *, now: datetime = AFTER_Q1, **more: Any) -> dict[str, Dataset]:
    datasets = draft_platform_tables(quarter=quarter, actor=None, now=now, **more)
    return {dataset.indicator.code: dataset for dataset in datasets}


def key(table: str, dimension: str | None = None, code: str = "") -> str:
    return ".".join(one_way_key(TABLES_BY_CODE[table].dimensions, dimension, code))


def publish_all(datasets: Mapping[str, Dataset], now: datetime) -> None:
    for dataset in datasets.values():
        publish_dataset(dataset=dataset, actor=None, now=now)


# --- Quarters -------------------------------------------------------------------------------


def test_quarters_are_counted_in_cape_verde_time():
    # 31 March 23:30 in Praia is already 1 April in UTC.
    assert quarter_of(datetime(2026, 3, 31, 23, 30, tzinfo=CV)) == Q1
    assert quarter_of(datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("UTC"))) == Q1
    assert quarter_of(datetime(2026, 4, 1, 1, 0, tzinfo=ZoneInfo("UTC"))) == Q2
    assert quarter_of(datetime(2026, 12, 31, 12, tzinfo=CV)) == "2026-Q4"
    assert quarter_bounds("2026-Q4") == (
        datetime(2026, 10, 1, tzinfo=CV),
        datetime(2027, 1, 1, tzinfo=CV),
    )
    assert platform_tables.previous_quarter("2026-Q1") == "2025-Q4"
    for wrong in ("2026-Q5", "2026Q1", "1999-Q1", "", "2026-q1 x"):
        with pytest.raises(TablesRefused):
            platform_tables.parse_quarter(wrong)


def test_a_quarter_that_has_not_ended_is_refused():
    with pytest.raises(TablesRefused, match="has not ended"):
        draft_platform_tables(quarter=Q1, actor=None, now=datetime(2026, 3, 31, 23, 59, tzinfo=CV))
    assert not Dataset.objects.exists()
    assert not AuditEntry.objects.filter(action="observatory.platform.drafted").exists()


# --- Who is counted, and what ---------------------------------------------------------------


def test_only_people_who_agreed_to_statistics_are_counted(world):
    """Five people agreed; five never did, five withdrew, and five requests came without a
    person record: only the first five appear, in every table."""
    for consent in ("given", "none", "withdrawn", None):
        for _n in range(5):
            someone = None if consent is None else world.person(consent, sex="female")
            world.case(someone, later=[Channel.PHONE])
            world.appointment(someone)
            if someone is not None:
                world.enrolment(someone)
    tables = drafted()
    assert figures(tables[CASES_OPENED])[key(CASES_OPENED)] == 5
    assert figures(tables[CONTACTS])[key(CONTACTS)] == 10
    assert figures(tables[APPOINTMENTS])[key(APPOINTMENTS)] == 5
    assert figures(tables[PEOPLE_TRAINED])[key(PEOPLE_TRAINED)] == 5
    assert figures(tables[CASES_OPENED])[key(CASES_OPENED, "SEX", "F")] == 5


def test_the_cases_opened_by_unit_channel_island_sex_nationality_and_topic(
    world, residence, unit, other_unit
):
    for _n in range(10):
        world.case(world.person(sex="female", island="santiago", nationalities=["SN", "cv"]),
                   topics=[residence])  # fmt: skip
    for _n in range(5):
        world.case(world.person(sex="male", island="sal", nationalities=["GN"]),
                   channel=Channel.PHONE)  # fmt: skip
    cases = figures(drafted()[CASES_OPENED])
    assert cases[key(CASES_OPENED)] == 15
    assert cases[key(CASES_OPENED, "UNIT", "praia")] == 15
    # Every unit is listed, "<5" included; so is every channel, island and sex.
    assert cases[key(CASES_OPENED, "UNIT", "mindelo")] is None
    assert cases[key(CASES_OPENED, "UNIT", "aai")] is None
    assert cases[key(CASES_OPENED, "CHANNEL", "walk_in")] == 10
    assert cases[key(CASES_OPENED, "CHANNEL", "phone")] == 5
    assert cases[key(CASES_OPENED, "CHANNEL", "whatsapp")] is None
    assert key(CASES_OPENED, "CHANNEL", "note") not in cases
    assert cases[key(CASES_OPENED, "ISLAND", "santiago")] == 10
    assert cases[key(CASES_OPENED, "ISLAND", "sal")] == 5
    assert cases[key(CASES_OPENED, "ISLAND", "brava")] is None
    assert cases[key(CASES_OPENED, "ISLAND", "_U")] is None
    sexes = {code: cases[key(CASES_OPENED, "SEX", code)] for code in ("F", "M", "_O", "_U")}
    assert sexes == {"F": 10, "M": 5, "_O": None, "_U": None}
    # Several nationalities count under each; open-ended lists leave out what rounds to 0.
    nationalities = {k: v for k, v in cases.items() if k.split(".")[4] != TOTAL}
    assert nationalities == {
        key(CASES_OPENED, "CITIZENSHIP", "CV"): 10,
        key(CASES_OPENED, "CITIZENSHIP", "SN"): 10,
        key(CASES_OPENED, "CITIZENSHIP", "GN"): 5,
    }
    topics = {k: v for k, v in cases.items() if k.split(".")[5] != TOTAL}
    assert topics == {
        key(CASES_OPENED, "TOPIC", "documentation-residence"): 10,
        key(CASES_OPENED, "TOPIC", "_U"): 5,
    }


def test_contacts_are_the_cases_opened_and_the_later_contacts_from_the_person(world):
    """Each case opened is one contact; later messages and calls from the person are more;
    replies to the person and notes are not contacts from them."""
    for _n in range(5):
        case = world.case(world.person(), later=[Channel.PHONE, Channel.WHATSAPP])
        add_interaction(actor=world.officer, case=case, channel=Channel.PHONE,
                        direction=Direction.OUT, body="Resposta", is_public=True,
                        at=in_q1(11))  # fmt: skip
        add_interaction(actor=world.officer, case=case, channel=Channel.NOTE,
                        direction=Direction.INTERNAL, body="Nota", is_public=False,
                        at=in_q1(11))  # fmt: skip
    # A case of December whose person wrote again in January: a contact of the quarter.
    for _n in range(5):
        old = world.case(world.person(), when=datetime(2025, 12, 20, 10, tzinfo=CV))
        add_interaction(actor=None, case=old, channel=Channel.EMAIL, direction=Direction.IN,
                        body="De novo", is_public=True, at=in_q1(5, month=1))  # fmt: skip
    tables = drafted()
    contacts = figures(tables[CONTACTS])
    assert contacts[key(CONTACTS)] == 20
    assert contacts[key(CONTACTS, "UNIT", "praia")] == 20
    channels = {
        c: contacts[key(CONTACTS, "CHANNEL", c)] for c in ("walk_in", "phone", "whatsapp", "email")
    }
    assert channels == {"walk_in": 5, "phone": 5, "whatsapp": 5, "email": 5}
    assert figures(tables[CASES_OPENED])[key(CASES_OPENED)] == 5


def test_appointments_by_outcome_and_the_median_wait(world, other_unit):
    """Ten attended, five did not come, five not recorded; a cancelled one is not counted.
    The median wait is given in all (20 appointments) and for Praia, not for Mindelo."""
    for n in range(10):
        world.appointment(world.person(sex="male"), waited_days=n + 1)
    for _n in range(5):
        world.appointment(world.person(sex="male"), waited_days=20, status=BookingStatus.NO_SHOW)
    for _n in range(5):
        world.appointment(world.person(sex="female"), waited_days=30, status=BookingStatus.BOOKED)
    world.appointment(world.person(), status=BookingStatus.CANCELLED)
    tables = drafted()
    appointments = figures(tables[APPOINTMENTS])
    assert appointments[key(APPOINTMENTS)] == 20
    outcomes = {o: appointments[key(APPOINTMENTS, "OUTCOME", o)]
                for o in ("attended", "no_show", "not_recorded")}  # fmt: skip
    assert outcomes == {"attended": 10, "no_show": 5, "not_recorded": 5}
    assert appointments[key(APPOINTMENTS, "SEX", "M")] == 15
    assert appointments[key(APPOINTMENTS, "UNIT", "praia")] == 20
    waits = figures(tables[APPOINTMENT_WAIT])
    # 1 … 10, 20 ×5, 30 ×5: the median of twenty waits is between the 10th and 11th.
    assert waits == {"_T": 15.0, "praia": 15.0, "mindelo": None, "aai": None}
    withheld = Observation.objects.get(dataset=tables[APPOINTMENT_WAIT], key="mindelo")
    assert (withheld.value, withheld.conf_status, withheld.obs_status) == (None, "C", "Q")


def test_a_median_is_not_given_over_fewer_than_ten_published_appointments(world):
    for n in range(5):
        world.appointment(world.person(), waited_days=n)
    tables = drafted()
    assert figures(tables[APPOINTMENTS])[key(APPOINTMENTS)] == 5
    assert figures(tables[APPOINTMENT_WAIT])["_T"] is None


def test_people_trained_by_course_sex_and_outcome_with_their_certificates(world):
    for _n in range(5):
        world.enrolment(world.person(sex="female"), certificate="issued")
        world.enrolment(world.person(sex="female"), certificate="revoked")
        world.enrolment(world.person(sex="male"), "crioulo", status=EnrolmentStatus.ACCEPTED)
        world.enrolment(world.person(sex="male"), "crioulo",
                        status=EnrolmentStatus.NOT_COMPLETED)  # fmt: skip
        world.enrolment(world.person(sex="male"), "crioulo")  # completed, no certificate
        # Not holding a place: not counted.
        world.enrolment(world.person(), "crioulo", status=EnrolmentStatus.WITHDRAWN)
    # A session starting in the next quarter is another quarter's.
    world.session("later", starts=in_q1(2, month=4))
    for _n in range(5):
        world.enrolment(world.person(), "later")
    trained = figures(drafted()[PEOPLE_TRAINED])
    assert trained[key(PEOPLE_TRAINED)] == 25
    assert {c: trained[key(PEOPLE_TRAINED, "COURSE", c)] for c in ("portugues-a1", "crioulo")} == {
        "portugues-a1": 10, "crioulo": 15,
    }  # fmt: skip
    assert key(PEOPLE_TRAINED, "COURSE", "later") not in trained
    outcomes = platform_tables.TRAINING_OUTCOMES
    assert {o: trained[key(PEOPLE_TRAINED, "OUTCOME", o)] for o in outcomes} == {
        "certified": 5, "certificate_revoked": 5, "completed": 5, "not_completed": 5,
        "no_outcome": 5,
    }  # fmt: skip
    assert trained[key(PEOPLE_TRAINED, "SEX", "F")] == 10


def test_a_course_with_a_session_in_the_quarter_is_listed_without_participants(world):
    world.session("vazio")
    trained = drafted()[PEOPLE_TRAINED]
    assert figures(trained)[key(PEOPLE_TRAINED, "COURSE", "vazio")] is None


# --- Rounding and suppression ---------------------------------------------------------------


def test_small_counts_are_stored_empty_and_confidential(world):
    """Three people: every figure is a multiple of 5 or withheld — empty, CONF_STATUS "C",
    OBS_STATUS "Q" — never 1 to 4."""
    for sex in ("female", "female", "male"):
        someone = world.person(sex=sex, nationalities=["SN"])
        world.case(someone, later=[Channel.SMS])
        world.appointment(someone)
        world.enrolment(someone)
    datasets = drafted()
    observations = Observation.objects.filter(dataset__in=datasets.values(), period=Q1)
    assert observations.exists()
    for row in observations:
        if row.value is None:
            assert (row.conf_status, row.obs_status) == ("C", "Q"), row
        elif row.dataset.indicator.code != APPOINTMENT_WAIT:
            assert row.value % BASE == 0, row
            assert row.value > 0, row
            assert (row.conf_status, row.obs_status) == ("", "")
    assert figures(datasets[CASES_OPENED])[key(CASES_OPENED)] in (None, 5)


def test_the_rounding_base_is_the_support_desk_s_setting(world, settings):
    settings.STATISTICS_SMALL_CELL = 10
    for _n in range(13):
        world.case(world.person())
    cases = figures(drafted()[CASES_OPENED])
    assert cases[key(CASES_OPENED)] in (10, 20)
    definition = Indicator.objects.get(code=APPOINTMENT_WAIT).definitions["en"]
    assert "at least 20" in definition
    assert "multiple of 10" in definition


SEXES = ["F", "M", "_O", "_U"]
UNITS = ["praia", "mindelo", "aai"]
CHANNELS = ["walk_in", "phone", "email", "web", "sms", "whatsapp"]
ISLANDS = ["santiago", "sal", "_U"]
COUNTRIES = ["CV", "SN", "GN"]
TOPICS = ["health", "residence", "work"]
COURSES = ["portugues-a1", "crioulo"]
OUTCOMES = list(platform_tables.APPOINTMENT_OUTCOMES)
RESULTS = list(platform_tables.TRAINING_OUTCOMES)


@st.composite
def quarters(draw: st.DrawFn) -> Facts:
    """A quarter's records: random groups, small numbers."""
    ids = count(1)

    def some(population: str, groups: dict[str, Any], at_most: int) -> list[Record]:
        return [
            Record((population, next(ids)), record, days=draw(st.floats(0, 60)))
            for record in draw(st.lists(st.fixed_dictionaries(groups), max_size=at_most))
        ]

    one = st.sampled_from

    def many(codes: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
        """One or two groups of a breakdown where a record counts under several."""
        return st.sets(st.sampled_from(codes), min_size=1, max_size=2).map(tuple)

    return Facts(
        cases=some("case", {"UNIT": one(UNITS).map(lambda u: (u,)),
                            "CHANNEL": one(CHANNELS).map(lambda c: (c,)),
                            "ISLAND": one(ISLANDS).map(lambda i: (i,)),
                            "SEX": one(SEXES).map(lambda s: (s,)),
                            "CITIZENSHIP": many(COUNTRIES), "TOPIC": many(TOPICS)}, 25),
        later_contacts=some("contact", {"UNIT": one(UNITS).map(lambda u: (u,)),
                                        "CHANNEL": one(CHANNELS).map(lambda c: (c,))}, 25),
        appointments=some("booking", {"UNIT": one(UNITS).map(lambda u: (u,)),
                                      "SEX": one(SEXES).map(lambda s: (s,)),
                                      "OUTCOME": one(OUTCOMES).map(lambda o: (o,))}, 25),
        trained=some("enrolment", {"COURSE": one(COURSES).map(lambda c: (c,)),
                                   "SEX": one(SEXES).map(lambda s: (s,)),
                                   "OUTCOME": one(RESULTS).map(lambda o: (o,))}, 25),
        units=UNITS,
        courses=COURSES,
    )  # fmt: skip


def _split(dimensions: tuple[str, ...], cells: Mapping[tuple[str, ...], Any], name: str) -> dict:
    index = dimensions.index(name)
    return {
        k[index]: v
        for k, v in cells.items()
        if k[index] != TOTAL and all(c == TOTAL for i, c in enumerate(k) if i != index)
    }


@hypothesis_settings(max_examples=60, deadline=None)
@given(facts=quarters(), base=st.sampled_from([3, 5, 10]))
def test_every_table_s_splits_add_up_to_its_rounded_total(facts, base):
    """Every count a multiple of the base within base of the exact count; each split adds up
    to the table's total; overlapping groups stay within it and together reach it; and the
    contacts are never fewer than the cases opened, in all, by unit or by channel."""
    tables = build_tables(facts, base=base)
    for code, table in TABLES_BY_CODE.items():
        if not table.counts:
            continue
        cells = {k: v or 0 for k, v in tables[code].items()}
        total = cells[one_way_key(table.dimensions)]
        assert all(v % base == 0 for v in cells.values())
        for dimension in table.dimensions:
            group = _split(table.dimensions, cells, dimension)
            if dimension in table.overlapping:
                assert max(group.values(), default=0) <= total
                assert sum(group.values()) >= total
            else:
                assert sum(group.values()) == total, (code, dimension)
    population = {CASES_OPENED: facts.cases, APPOINTMENTS: facts.appointments,
                  PEOPLE_TRAINED: facts.trained}  # fmt: skip
    for code, records in population.items():
        exact = len(records)
        assert abs((tables[code][one_way_key(TABLES_BY_CODE[code].dimensions)] or 0) - exact) < base
    cases = tables[CASES_OPENED]
    for k, value in tables[CONTACTS].items():
        assert (value or 0) >= (cases.get(k + (TOTAL,) * 4) or 0)


# --- Versions -------------------------------------------------------------------------------


def test_the_platform_s_indicators_are_created_once_with_texts_in_four_languages():
    drafted()
    drafted()  # the draft replaced: the indicators stay
    indicators = Indicator.objects.filter(code__in=PLATFORM_INDICATORS)
    assert sorted(i.code for i in indicators) == sorted(PLATFORM_INDICATORS)
    for indicator in indicators:
        assert indicator.concept == Concept.PLATFORM_ACTIVITY
        assert indicator.periodicity == Periodicity.QUARTERLY
        assert indicator.dimensions == list(TABLES_BY_CODE[indicator.code].dimensions)
        for texts in (indicator.names, indicator.definitions, indicator.notes):
            assert set(texts) == {"pt", "kea", "en", "fr"}
        assert "agreed to the use of their data in statistics" in indicator.definitions["en"]
    assert Indicator.objects.get(code=APPOINTMENT_WAIT).unit_measure == "DAYS"
    assert AuditEntry.objects.filter(action="observatory.indicator.created").count() == 5


def test_drafting_stores_a_draft_per_indicator_and_audits_it(world):
    for _n in range(5):
        world.case(world.person())
    tables = drafted()
    assert set(tables) == set(PLATFORM_INDICATORS)
    for dataset in tables.values():
        assert (dataset.status, dataset.origin, dataset.quarter, dataset.version) == (
            DatasetStatus.DRAFT, DatasetOrigin.PLATFORM, Q1, 1,
        )  # fmt: skip
        assert dataset.period_start == dataset.period_end == Q1
        assert dataset.retrieved_on.isoformat() == "2026-04-02"
    entry = AuditEntry.objects.get(action="observatory.platform.drafted")
    assert entry.data["quarter"] == Q1
    assert entry.data["correction"] is False
    assert entry.data["indicators"][CASES_OPENED] == f"{CASES_OPENED}-v1"
    assert entry.data["observations"][CASES_OPENED] == tables[CASES_OPENED].observation_count
    assert entry.data["replaced"] == []


def test_drafting_a_quarter_again_replaces_its_draft(world):
    first = drafted()
    for _n in range(5):
        world.case(world.person())
    second = drafted()
    for code, dataset in first.items():
        dataset.refresh_from_db()
        assert dataset.status == DatasetStatus.DISCARDED
        assert second[code].version == 2
    assert figures(second[CASES_OPENED])[key(CASES_OPENED)] == 5
    entry = AuditEntry.objects.filter(action="observatory.platform.drafted").latest("id")
    assert sorted(entry.data["replaced"]) == sorted(d.public_id for d in first.values())
    assert AuditEntry.objects.filter(action="observatory.dataset.discarded").count() == 5


def test_a_draft_waiting_for_review_holds_back_another_quarter():
    drafted(Q1)
    with pytest.raises(TablesRefused, match="waiting for review"):
        drafted(Q2, now=AFTER_Q2)
    assert not Dataset.objects.filter(quarter=Q2).exists()


def test_a_new_quarter_keeps_the_published_ones_unchanged(world):
    """Q1 is published; records of Q1 change afterwards (five more cases, a withdrawal), then
    Q2 is drafted: the new version holds Q1's published observations exactly as they were."""
    people = [world.person() for _ in range(7)]
    for someone in people:
        world.case(someone)
    first = drafted()
    publish_all(first, AFTER_Q1)
    published_q1 = {
        code: sorted(Observation.objects.filter(dataset=dataset).values_list(
            "period", "key", "value", "obs_status", "conf_status"))
        for code, dataset in first.items()
    }  # fmt: skip
    for _n in range(5):
        world.case(world.person())
    withdraw_consent(actor=None, person=people[0], purpose=Purpose.STATISTICS)
    for _n in range(10):
        world.case(world.person(), when=datetime(2026, 5, 5, 10, tzinfo=CV))
    second = drafted(Q2, now=AFTER_Q2)
    for code, dataset in second.items():
        assert dataset.version == 2
        kept = sorted(Observation.objects.filter(dataset=dataset, period=Q1).values_list(
            "period", "key", "value", "obs_status", "conf_status"))  # fmt: skip
        assert kept == published_q1[code]
        assert (dataset.period_start, dataset.period_end) == (Q1, Q2)
        assert "2026-Q2" in dataset.revision_note  # what publishing it will say changed
    assert figures(second[CASES_OPENED], Q2)[key(CASES_OPENED)] == 10
    publish_all(second, AFTER_Q2)
    for dataset in second.values():
        dataset.refresh_from_db()
        assert dataset.status == DatasetStatus.PUBLISHED
        assert dataset.revised_count == 0


def test_a_published_quarter_is_corrected_only_with_a_note_in_a_new_version(world):
    for _n in range(5):
        world.case(world.person())
    first = drafted()
    publish_all(first, AFTER_Q1)
    for _n in range(10):  # records entered late
        world.case(world.person())
    with pytest.raises(TablesRefused, match="correction needs a note"):
        drafted(now=AFTER_Q2)
    with pytest.raises(TablesRefused):
        drafted(now=AFTER_Q2, correction_note="   ")
    assert not Dataset.objects.filter(status=DatasetStatus.DRAFT).exists()

    note = "Casos registados com atraso na Praia."
    correction = drafted(now=AFTER_Q2, correction_note=note)
    cases = correction[CASES_OPENED]
    assert (cases.version, cases.revision_note, cases.quarter) == (2, note, Q1)
    assert figures(cases)[key(CASES_OPENED)] == 15
    entry = AuditEntry.objects.filter(action="observatory.platform.drafted").latest("id")
    assert entry.data["correction"] is True
    publish_all(correction, AFTER_Q2)
    cases.refresh_from_db()
    first[CASES_OPENED].refresh_from_db()
    assert first[CASES_OPENED].status == DatasetStatus.SUPERSEDED
    assert (cases.status, cases.revision_note, cases.replaces) == (
        DatasetStatus.PUBLISHED, note, first[CASES_OPENED],
    )  # fmt: skip
    revised = set(cases.observations.filter(revised=True).values_list("key", flat=True))
    assert {key(CASES_OPENED), key(CASES_OPENED, "UNIT", "praia")} <= revised
    # The old version is still there, unchanged.
    assert figures(first[CASES_OPENED])[key(CASES_OPENED)] == 5


def test_the_periodic_job_drafts_the_last_ended_quarter_once(world):
    assert draft_due_tables(now=AFTER_Q1) == len(PLATFORM_INDICATORS)
    assert set(Dataset.objects.values_list("quarter", flat=True)) == {Q1}
    assert draft_due_tables(now=AFTER_Q1 + timedelta(days=1)) == 0
    # Discarded by the analyst: not drafted again.
    for dataset in Dataset.objects.all():
        discard_dataset(dataset=dataset, actor=None)
    assert draft_due_tables(now=AFTER_Q1 + timedelta(days=2)) == 0
    # The next quarter, through the task as the scheduler runs it.
    assert tasks.draft_platform_tables.call(now=AFTER_Q2.isoformat()) == len(PLATFORM_INDICATORS)
    assert Dataset.objects.filter(quarter=Q2, status=DatasetStatus.DRAFT).count() == 5
    entry = AuditEntry.objects.filter(action="observatory.platform.drafted").latest("id")
    assert (entry.actor, entry.data["quarter"]) == (None, Q2)


def test_the_periodic_job_waits_while_a_draft_is_reviewed(world):
    drafted(Q1)
    assert draft_due_tables(now=AFTER_Q2) == 0
    assert not Dataset.objects.filter(quarter=Q2).exists()
    publish_all({d.indicator.code: d for d in Dataset.objects.filter(quarter=Q1)}, AFTER_Q2)
    assert draft_due_tables(now=AFTER_Q2) == len(PLATFORM_INDICATORS)
    # A quarter already held by a published version is not drafted again by the job.
    assert draft_due_tables(now=AFTER_Q2 + timedelta(days=1)) == 0


# --- The attacker's linear programme --------------------------------------------------------


def _published(datasets: Iterable[Dataset], quarter: str) -> tuple[dict, dict]:
    """The published observations of ``quarter`` as a reader downloads them."""
    tables: dict[str, dict[tuple[str, ...], str]] = {}
    dimensions: dict[str, tuple[str, ...]] = {}
    for dataset in datasets:
        code = dataset.indicator.code
        dimensions[code] = tuple(dataset.dimensions)
        tables[code] = {
            tuple(k.split(".")): f"<{BASE}" if value is None else str(int(value))
            for k, value in Observation.objects.filter(dataset=dataset, period=quarter)
            .values_list("key", "value")
        }  # fmt: skip
    return tables, dimensions


def _truth(facts: Facts) -> tuple[Counter[str], dict[str, dict[str, list[str]]]]:
    """The exact count of every variable, and the groups that exist, from the records."""
    truth: Counter[str] = Counter()
    groups: dict[str, dict[str, list[str]]] = {}
    populations = {CASES_OPENED: facts.cases, LATER: facts.later_contacts,
                   APPOINTMENTS: facts.appointments, PEOPLE_TRAINED: facts.trained}  # fmt: skip
    for table, records in populations.items():
        truth[variable(table)] = len(records)
        for record in records:
            for dimension, codes in record.groups.items():
                for code in set(codes):
                    truth[variable(table, dimension, code)] += 1
                    found = groups.setdefault(table, {}).setdefault(dimension, [])
                    if code not in found:
                        found.append(code)
    for dimension in ("UNIT", "CHANNEL"):
        for code in {*groups.get(CASES_OPENED, {}).get(dimension, ()),
                     *groups.get(LATER, {}).get(dimension, ())}:  # fmt: skip
            truth[variable(CONTACTS, dimension, code)] = (
                truth[variable(CASES_OPENED, dimension, code)]
                + truth[variable(LATER, dimension, code)]
            )
    truth[variable(CONTACTS)] = len(facts.cases) + len(facts.later_contacts)
    return truth, groups


def _exact(facts: Facts, dimensions: Mapping[str, tuple[str, ...]]) -> dict:
    """The tables as the old rules would publish them: exact counts, zeros and totals
    included, 1 to 4 as "<5", every group listed."""
    truth, groups = _truth(facts)
    fixed = {"UNIT": UNITS, "CHANNEL": CHANNELS, "SEX": SEXES, "ISLAND": ISLANDS,
             "COURSE": list(facts.courses)}  # fmt: skip
    tables: dict[str, dict[tuple[str, ...], str]] = {}
    for table in (CASES_OPENED, CONTACTS, APPOINTMENTS, PEOPLE_TRAINED):
        names = dimensions[table]
        cells = {one_way_key(names): truth[variable(table)]}
        for dimension in names:
            codes = {*fixed.get(dimension, ()), *groups.get(table, {}).get(dimension, ())}
            if table == CONTACTS:
                codes |= set(groups.get(CASES_OPENED, {}).get(dimension, ()))
            for code in codes:
                cells[one_way_key(names, dimension, code)] = truth[variable(table, dimension, code)]
        total = one_way_key(names)
        tables[table] = {
            k: f"<{BASE}" if 0 < v < BASE and k != total else str(v) for k, v in cells.items()
        }
    return tables


def _facts_of(population: list[dict[str, Any]]) -> Facts:
    """What the tables should count of a generated population (the consenting people's)."""
    cases, later, appointments, trained = [], [], [], []
    for person in population:
        if person["consent"] != "given":
            continue
        sex = {"female": "F", "male": "M", "intersex": "_O", "not_stated": "_U"}[person["sex"]]
        for case in person["cases"]:
            cases.append(Record(len(cases), {
                "UNIT": (case["unit"],), "CHANNEL": (case["channel"],),
                "ISLAND": (person["island"] or "_U",), "SEX": (sex,),
                "CITIZENSHIP": tuple(person["nationalities"]) or ("_U",),
                "TOPIC": tuple(case["topics"]) or ("_U",)}))  # fmt: skip
            for channel in case["later"]:
                later.append(Record(len(later), {"UNIT": (case["unit"],), "CHANNEL": (channel,)}))
        for outcome in person["appointments"]:
            appointments.append(Record(len(appointments), {
                "UNIT": ("praia",), "SEX": (sex,), "OUTCOME": (outcome,)}))  # fmt: skip
        for course, outcome in person["enrolments"]:
            trained.append(Record(len(trained), {
                "COURSE": (course,), "SEX": (sex,), "OUTCOME": (outcome,)}))  # fmt: skip
    return Facts(cases, later, appointments, trained, UNITS, COURSES)


def _population(seed: int) -> list[dict[str, Any]]:
    """Random people (sex, island, nationalities, consent) and what they did: a few cases in
    either unit with their topics and later contacts, appointments, enrolments."""
    draw = random.Random(seed)
    people = []
    for _n in range(draw.randint(6, 14)):
        people.append({
            "consent": draw.choice(["given", "given", "given", "none", "withdrawn"]),
            "sex": draw.choice(["female", "male", "intersex", "not_stated"]),
            "island": draw.choice(["", "santiago", "sal"]),
            "nationalities": sorted(set(draw.sample(COUNTRIES, draw.randint(0, 2)))),
            "cases": [{"unit": draw.choice(["praia", "mindelo"]),
                       "channel": draw.choice(["walk_in", "phone", "email", "whatsapp"]),
                       "topics": sorted(set(draw.sample(TOPICS, draw.randint(0, 2)))),
                       "later": [draw.choice(["phone", "sms", "walk_in"])
                                 for _ in range(draw.randint(0, 2))]}
                      for _ in range(draw.randint(0, 2))],
            "appointments": [draw.choice(OUTCOMES) for _ in range(draw.randint(0, 2))],
            "enrolments": [(draw.choice(COURSES), draw.choice(RESULTS))
                           for _ in range(draw.randint(0, 1))],
        })  # fmt: skip
    return people


STATUS_OF = {"attended": BookingStatus.CHECKED_IN, "no_show": BookingStatus.NO_SHOW,
             "not_recorded": BookingStatus.BOOKED}  # fmt: skip
ENROLMENT_OF = {"certified": (EnrolmentStatus.COMPLETED, "issued"),
                "certificate_revoked": (EnrolmentStatus.COMPLETED, "revoked"),
                "completed": (EnrolmentStatus.COMPLETED, ""),
                "not_completed": (EnrolmentStatus.NOT_COMPLETED, ""),
                "no_outcome": (EnrolmentStatus.ACCEPTED, "")}  # fmt: skip


def _record(world: World, units: Mapping[str, Any], population: list[dict[str, Any]]) -> None:
    topics = {code: TaxonomyTerm.objects.create(code=code, name=code, description="")
              for code in TOPICS}  # fmt: skip
    assert world.bookable.service_at_location.service.unit == units["praia"]
    for course in COURSES:
        world.session(course)
    for n, data in enumerate(population):
        someone = world.person(
            data["consent"], sex=data["sex"], island=data["island"],
            nationalities=data["nationalities"], given_names=f"P{n}",
        )  # fmt: skip
        for case in data["cases"]:
            world.unit = units[case["unit"]]
            world.case(someone, channel=Channel(case["channel"]),
                       topics=[topics[t] for t in case["topics"]],
                       later=[Channel(c) for c in case["later"]])  # fmt: skip
        for outcome in data["appointments"]:
            world.appointment(someone, status=STATUS_OF[outcome])
        for course, outcome in data["enrolments"]:
            status, certificate = ENROLMENT_OF[outcome]
            world.enrolment(someone, course, status=status, certificate=certificate)


@pytest.mark.parametrize("seed", [3, 14, 15])
def test_no_published_count_of_a_quarter_can_be_narrowed_below_the_base(
    world, unit, other_unit, seed
):
    """Random people and their records, drafted and published through the platform's own
    functions, read back as a reader downloads them — every indicator of the quarter — and
    attacked, the attacker knowing even which groups exist: every count keeps a range of at
    least base - 1, and holds its true value. The same records published exactly, with "<5"
    for 1 to 4, give counts away."""
    population = _population(seed)
    with override_settings(SECRET_KEY=f"secret-{seed}-for-the-keys"):
        _record(world, {"praia": unit, "mindelo": other_unit}, population)
        datasets = draft_platform_tables(quarter=Q1, actor=None, now=AFTER_Q1)
        for dataset in datasets:
            publish_dataset(dataset=dataset, actor=None, now=AFTER_Q1)
    published, dimensions = _published(
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED).select_related("indicator"), Q1
    )
    assert set(published) == set(PLATFORM_INDICATORS)
    facts = _facts_of(population)
    truth, groups = _truth(facts)
    assert published[CASES_OPENED]
    assert truth[variable(CASES_OPENED)] > 0

    ranges = feasible_ranges(published, dimensions=dimensions, base=BASE, rounded=True,
                             hidden=groups)  # fmt: skip
    assert outside(ranges, {name: truth[name] for name in ranges}) == {}
    assert narrower_than(ranges, BASE - 1) == {}
    assert {variable(CASES_OPENED, "SEX", "F"), variable(LATER)} <= set(ranges)

    exact = feasible_ranges(_exact(facts, dimensions), dimensions=dimensions, base=BASE,
                            rounded=False)  # fmt: skip
    assert outside(exact, {name: truth[name] for name in exact}) == {}
    # Not only exact zeros and totals: counts of 1 to 4 people shown as "<5" are narrowed.
    assert {name for name in narrower_than(exact, BASE - 1) if 0 < truth[name] < BASE}


@hypothesis_settings(max_examples=40, deadline=None)
@given(facts=quarters())
def test_no_count_of_random_tables_can_be_narrowed_below_the_base(facts):
    """Random records straight through the rounding (no database): the same attack."""
    tables = build_tables(facts, base=BASE)
    published = {
        code: {k: f"<{BASE}" if v is None else str(int(v)) for k, v in cells.items()}
        for code, cells in tables.items()
    }
    dimensions = {code: table.dimensions for code, table in TABLES_BY_CODE.items()}
    truth, groups = _truth(facts)
    ranges = feasible_ranges(published, dimensions=dimensions, base=BASE, rounded=True,
                             hidden=groups)  # fmt: skip
    assert outside(ranges, {name: truth[name] for name in ranges}) == {}
    assert narrower_than(ranges, BASE - 1) == {}


def test_the_attack_finds_a_lone_person_in_exact_tables():
    """One woman came to the desk once in the quarter: exact tables say "<5" for her in each
    breakdown beside zeros and a total of 1 — each "<5" is exactly 1."""
    facts = Facts(
        cases=[Record(1, {"UNIT": ("praia",), "CHANNEL": ("walk_in",), "ISLAND": ("sal",),
                          "SEX": ("F",), "CITIZENSHIP": ("GN",), "TOPIC": ("_U",)})],
        units=UNITS, courses=COURSES,
    )  # fmt: skip
    dimensions = {code: table.dimensions for code, table in TABLES_BY_CODE.items()}
    _truth_of, groups = _truth(facts)
    exact = feasible_ranges(_exact(facts, dimensions), dimensions=dimensions, base=BASE,
                            rounded=False)  # fmt: skip
    for name in ("SEX=F", "CITIZENSHIP=GN", "ISLAND=sal", "CHANNEL=walk_in"):
        assert exact[f"{CASES_OPENED}:{name}"] == (1, 1)
    tables = build_tables(facts, base=BASE)
    published = {
        code: {k: f"<{BASE}" if v is None else str(int(v)) for k, v in cells.items()}
        for code, cells in tables.items()
    }
    ranges = feasible_ranges(published, dimensions=dimensions, base=BASE, rounded=True,
                             hidden=groups)  # fmt: skip
    assert narrower_than(ranges, BASE - 1) == {}

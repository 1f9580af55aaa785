"""Training statistics: who is counted (consent, staff, anonymised records), each figure on
small datasets built here, the period and unit in scope, the same figures on asking again,
the disclosure control — an attacker's linear programme cannot recover a hidden cell from the
published table and its totals — the audit, and who reads which unit.

Exact figures are asserted on datasets whose counts are multiples of 5: those are published
as they are, whichever way the rounding goes. Sessions start, unless told, on Monday 9 March
2026 in Praia; the period read is March 2026."""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain.statistics import Counted, Tally, round_tally
from coop4int.cases.tests.disclosure_attack import (
    ANOTHER,
    Attack,
    naive_bounds,
    narrower_than,
    outside,
    rounded_bounds,
)
from coop4int.core.models import AuditEntry
from coop4int.learning.domain.statistics import (
    COMPLETED,
    NO_OUTCOME,
    NOT_COMPLETED,
    ONLINE,
    OUTCOMES,
    UNKNOWN,
    Participation,
    RoundedParticipants,
    TrainingStatistics,
    audience_group,
    completion_rate,
    island_of,
    round_circulation,
    round_participants,
    sees_all_units,
    statistics_rows,
    statistics_units,
    training_statistics,
)
from coop4int.learning.enums import Audience, EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate, CourseSession, Enrolment, StatusList
from coop4int.learning.tests.factories import (
    NOW,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    PersonFactory,
    at,
    mornings,
    publish_text,
)
from coop4int.people.domain.people import give_consent, withdraw_consent
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
BASE = 5
_index = count(1)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


def read(user, unit, **period: Any) -> TrainingStatistics:
    return training_statistics(user, unit_id=unit.pk if unit else None, **(MARCH | period))


def people(
    session: CourseSession,
    how_many: int,
    *,
    consent: str = "given",
    status: str = EnrolmentStatus.ACCEPTED,
    **person: Any,
) -> list[Enrolment]:
    """``how_many`` people of the course's unit enrolled in ``session``; ``consent`` to
    statistics: "given", "withdrawn" or "none"."""
    enrolments = []
    for _n in range(how_many):
        someone = PersonFactory(unit=session.course.unit, **person)
        if consent in ("given", "withdrawn"):
            give_consent(actor=None, person=someone, purpose=Purpose.STATISTICS,
                         method=ConsentMethod.VERBAL, at=NOW)  # fmt: skip
        if consent == "withdrawn":
            withdraw_consent(actor=None, person=someone, purpose=Purpose.STATISTICS)
        enrolments.append(EnrolmentFactory(session=session, person=someone, status=status))
    return enrolments


def staff(session: CourseSession, how_many: int, **fields: Any) -> list[Enrolment]:
    return [EnrolmentFactory(session=session, staff_member=True, **fields) for _ in range(how_many)]


def anonymised(session: CourseSession, how_many: int, **fields: Any) -> list[Enrolment]:
    """Enrolments whose person was erased: no one named, sex and nationality kept."""
    return [
        EnrolmentFactory(session=session, person=None, name="", phone="", anonymised_at=NOW,
                         **({"sex": "female", "nationality": "SN"} | fields))
        for _ in range(how_many)
    ]  # fmt: skip


def certificate(enrolment: Enrolment, *, issued, revoked=None, reason: str = "") -> Certificate:
    status_list = StatusList.objects.first() or StatusList.objects.create(created_at=NOW)
    return Certificate.objects.create(
        enrolment=enrolment, holder_name=enrolment.name, language="pt", credential="a.b.c",
        key_id="key", issued_at=issued, valid_from=issued, status_list=status_list,
        status_index=next(_index), revoked_at=revoked, revocation_reason=reason,
    )  # fmt: skip


def session_in(unit, *, island: str | None = "Santiago", **fields: Any) -> CourseSession:
    """A session of a course of ``unit`` (``course=`` to give one), on ``island`` (``None``:
    online)."""
    course = fields.pop("course", None) or CourseFactory(unit=unit)
    if island is None:
        return CourseSessionFactory(
            course=course, location=None, online_address="https://meet.example.org/x", **fields
        )
    return CourseSessionFactory(course=course, location__island=island, **fields)


def cells(stats: TrainingStatistics, name: str) -> dict[str, int | None]:
    return {cell.key: cell.count for cell in getattr(stats, name).cells}


def published(stats: TrainingStatistics) -> dict[tuple[str, str], str]:
    """The figures as the CSV file gives them (the period and empty values aside)."""
    return {
        (section, key): value
        for section, key, value in statistics_rows(stats)
        if section != "period" and value != ""
    }


# --- Who is counted -------------------------------------------------------------------------


def test_people_who_agreed_staff_and_anonymised_records_are_counted_and_no_one_else(
    coordinator, unit
):
    """Five people agreed to statistics, five staff enrolled themselves, five records were
    anonymised: 15. Five never agreed, five withdrew, five applications from the public site
    are undecided and five accepted enrolments name no one: not counted."""
    session = session_in(unit)
    agreed = people(session, 5, sex="male", nationalities=["GN"])
    staff(session, 5)
    anonymised(session, 5)
    people(session, 5, consent="none")
    people(session, 5, consent="withdrawn")
    for _n in range(5):
        EnrolmentFactory(session=session, applied=True)
        EnrolmentFactory(session=session, person=None, sex="female")
    for enrolment in agreed:
        certificate(enrolment, issued=at(20, 10))
    certificate(people(session, 1, consent="none")[0], issued=at(20, 10))

    stats = read(coordinator, unit)
    assert stats.participants == 15
    assert cells(stats, "by_sex") == {
        "female": 5, "male": 5, "intersex": None, "not_stated": 5,
    }  # fmt: skip
    assert cells(stats, "by_nationality") == {"SN": 5, "GN": 5, UNKNOWN: 5}
    assert stats.certificates_issued == 5


def test_a_withdrawal_removes_the_person_at_once(coordinator, unit):
    enrolments = people(session_in(unit), 10)
    assert read(coordinator, unit).participants == 10
    for enrolment in enrolments[:5]:
        withdraw_consent(actor=None, person=enrolment.person, purpose=Purpose.STATISTICS)
    assert read(coordinator, unit).participants == 5


# --- The figures ----------------------------------------------------------------------------


def test_people_trained_by_course_audience_island_sex_and_nationality(coordinator, unit):
    """Ten Senegalese women in "Portuguese for work" in Praia and five more on São Vicente;
    five staff in "Welcoming migrants" online (a course for staff and civil society)."""
    portuguese = CourseFactory(unit=unit, title="Portuguese for work")
    welcoming = CourseFactory(
        unit=unit, title="Welcoming migrants",
        audiences=[Audience.STAFF.value, Audience.CIVIL_SOCIETY.value],
    )  # fmt: skip
    people(session_in(unit, course=portuguese), 10)
    people(session_in(unit, course=portuguese, island="São Vicente"), 5)
    staff(session_in(unit, course=welcoming, island=None), 5)
    # A course with a session in the period but no one in it is listed ("<5").
    empty = CourseFactory(unit=unit, title="Basic computing")
    session_in(unit, course=empty)

    with translation.override("en"):
        stats = read(coordinator, unit)
    assert stats.participants == 20
    assert cells(stats, "by_course") == {portuguese.slug: 15, welcoming.slug: 5, empty.slug: None}
    assert [cell.label for cell in stats.by_course.cells] == [
        "Basic computing", "Portuguese for work", "Welcoming migrants",
    ]  # fmt: skip
    assert cells(stats, "by_audience") == {"immigrants": 15, "staff+civil_society": 5}
    assert [cell.label for cell in stats.by_audience.cells] == [
        "Immigrants", "Staff of the support network and Civil society organisations",
    ]  # fmt: skip
    islands = cells(stats, "by_island")
    assert (islands["santiago"], islands["sao_vicente"], islands[ONLINE]) == (10, 5, 5)
    assert islands["sal"] is islands[UNKNOWN] is None
    assert len(islands) == 11  # nine islands, online, not known: always listed
    assert cells(stats, "by_sex") == {
        "female": 15, "male": None, "intersex": None, "not_stated": 5,
    }  # fmt: skip
    assert cells(stats, "by_nationality") == {"SN": 15, UNKNOWN: 5}
    assert [cell.label for cell in stats.by_nationality.cells] == ["Senegal", "Not known"]
    assert {breakdown.total for breakdown in stats.breakdowns} == {20}


def test_only_places_held_count_and_a_cancelled_session_not_at_all(coordinator, unit):
    session = session_in(unit)
    people(session, 5)
    for status in (EnrolmentStatus.WAITING, EnrolmentStatus.DECLINED, EnrolmentStatus.WITHDRAWN,
                   EnrolmentStatus.APPLIED):  # fmt: skip
        people(session, 5, status=status)
    people(session_in(unit, cancelled_at=NOW), 5)
    assert read(coordinator, unit).participants == 5


def test_completion_counts_the_outcomes_and_the_rate_comes_from_the_published_figures(
    coordinator, unit
):
    session = session_in(unit)
    people(session, 10, status=EnrolmentStatus.COMPLETED)
    people(session, 5, status=EnrolmentStatus.NOT_COMPLETED)
    people(session, 5)
    stats = read(coordinator, unit)
    assert (stats.participants, stats.completed, stats.ended) == (20, 10, 15)
    assert stats.completion_rate == 67
    assert cells(stats, "by_outcome") == {COMPLETED: 10, NOT_COMPLETED: 5, NO_OUTCOME: 5}


def test_the_rate_is_not_given_under_ten_ended(coordinator, unit):
    people(session_in(unit), 5, status=EnrolmentStatus.COMPLETED)
    stats = read(coordinator, unit)
    assert (stats.completed, stats.ended, stats.completion_rate) == (5, 5, None)
    assert completion_rate(5, 5, base=5) is None
    assert completion_rate(5, 10, base=5) == 50
    assert completion_rate(0, 10, base=5) == 0


def test_certificates_issued_and_revoked_in_the_period(coordinator, unit):
    """Ten issued in March, five of them revoked in March for fraud; five issued in February
    and revoked in March because the holder's record was erased (not counted as revoked)."""
    session = session_in(unit)
    march = people(session, 10, status=EnrolmentStatus.COMPLETED)
    for n, enrolment in enumerate(march):
        certificate(enrolment, issued=at(20, 10),
                    revoked=at(25, 10) if n < 5 else None,
                    reason=RevocationReason.FRAUD if n < 5 else "")  # fmt: skip
    earlier = session_in(unit, days=mornings(at(9, 9, month=2), 1))
    for enrolment in people(earlier, 5, status=EnrolmentStatus.COMPLETED):
        certificate(enrolment, issued=at(20, 10, month=2), revoked=at(26, 10),
                    reason=RevocationReason.ERASED)  # fmt: skip
    stats = read(coordinator, unit)
    assert (stats.certificates_issued, stats.certificates_revoked) == (10, 5)
    february = read(coordinator, unit, start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert (february.certificates_issued, february.certificates_revoked) == (5, None)


def test_islands_are_read_whatever_their_spelling():
    assert island_of("Santo Antão", online=False) == "santo_antao"
    assert island_of(" santo antao ", online=False) == "santo_antao"
    assert island_of("SÃO VICENTE", online=False) == "sao_vicente"
    assert island_of("sao_nicolau", online=False) == "sao_nicolau"
    assert island_of("", online=False) == island_of("Lisboa", online=False) == UNKNOWN
    assert island_of(None, online=True) == ONLINE


def test_course_names_follow_the_language_and_fall_back_to_the_source(coordinator, unit):
    course = CourseFactory(unit=unit, title="Português para o trabalho")
    publish_text(course.description, language="en", title="Portuguese for work")
    people(session_in(unit, course=course), 5)
    with translation.override("en"):
        assert read(coordinator, unit).by_course.cells[0].label == "Portuguese for work"
    with translation.override("fr"):
        assert read(coordinator, unit).by_course.cells[0].label == "Português para o trabalho"


# --- Period and unit ------------------------------------------------------------------------


def test_the_period_holds_the_sessions_starting_in_it_in_cape_verde_time(coordinator, unit):
    """23:30 on 31 March in Praia is already April in UTC: it is March's; a session starting
    on 28 February and going on into March is February's."""
    late = session_in(unit, days=[(at(31, 23, 30), at(31, 23, 30) + timedelta(hours=1))])
    people(late, 5)
    april = session_in(unit, days=mornings(at(1, 0, 30, month=4), 1))
    people(april, 5)
    across = session_in(unit, days=mornings(at(28, 9, month=2), 3))
    people(across, 5)
    assert read(coordinator, unit).participants == 5
    assert read(coordinator, unit, start=date(2026, 4, 1), end=date(2026, 4, 30)).participants == 5
    first_quarter = read(coordinator, unit, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert first_quarter.participants == 10


def test_a_unit_counts_its_own_courses_and_all_units_count_every_course(
    coordinator, make_staff, unit, other_unit
):
    people(session_in(unit), 5)
    people(session_in(other_unit), 10)
    assert read(coordinator, unit).participants == 5
    analyst = make_staff(Role.ANALYST, unit)
    assert read(analyst, other_unit).participants == 10
    assert read(analyst, None).participants == 15


# --- Asking again ---------------------------------------------------------------------------


def _uneven(unit) -> None:
    """Counts that are not multiples of 5: their rounding depends on the keys."""
    session = session_in(unit)
    people(session, 3, status=EnrolmentStatus.COMPLETED)
    people(session, 4, sex="male", nationalities=["CV"])
    staff(session, 2)
    people(session_in(unit, island=None), 1, status=EnrolmentStatus.NOT_COMPLETED)
    for enrolment in Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED):
        certificate(enrolment, issued=at(20, 10))


def test_asking_again_gives_the_same_figures_and_so_does_another_period_of_the_same_records(
    coordinator, unit
):
    _uneven(unit)
    first = list(statistics_rows(read(coordinator, unit)))
    assert list(statistics_rows(read(coordinator, unit))) == first
    quarter = read(coordinator, unit, start=date(2026, 1, 1), end=date(2026, 3, 31))
    strip = {"start", "end"}
    assert [row for row in statistics_rows(quarter) if row[1] not in strip] == [
        row for row in first if row[1] not in strip
    ]


def test_every_published_count_is_a_multiple_of_the_base_and_each_table_adds_up(coordinator, unit):
    _uneven(unit)
    for secret in (f"secret-{n}" for n in range(12)):
        with override_settings(SECRET_KEY=secret):
            stats = read(coordinator, unit)
        figures = [stats.participants, stats.completed, stats.ended,
                   stats.certificates_issued, stats.certificates_revoked]  # fmt: skip
        for breakdown in stats.breakdowns:
            figures += [breakdown.total, *(cell.count for cell in breakdown.cells)]
        assert all((figure or 0) % BASE == 0 for figure in figures)
        total = stats.participants or 0
        for breakdown in stats.breakdowns:
            counts = [cell.count or 0 for cell in breakdown.cells]
            assert sum(counts) == total, breakdown.code
        assert (stats.completed or 0) <= (stats.ended or 0) <= total


# --- Disclosure: the attacker's linear programme --------------------------------------------

SEXES = ("female", "male", "intersex", "not_stated")


def attack_ranges(
    figures: Mapping[tuple[str, str], str],
    *,
    pairs: Iterable[tuple[str, str]],
    audiences: Mapping[str, str],
    nationalities: Iterable[str] = (),
    bounds=rounded_bounds,
    base: int = BASE,
) -> dict[str, tuple[float, float]]:
    """Every count behind the published ``figures`` narrowed as far as the others allow.

    The attacker knows what the catalogue says — which course was given on which island
    (``pairs``) and for which audiences (``audiences``: each course's group) — and every
    nationality there is (those not listed
    are "<base", plus one more group, as the list never says it is complete). Variables: the
    people trained; their (course, island) cells, of which each course and each island is the
    sum; the audience groups, sums of their courses; the cells by sex, nationality and outcome,
    each split adding up to the total; ended, completed plus not completed; the
    certificates. Each published figure bounds its count."""
    attack = Attack()

    def bound(name: str, section: str, key: str) -> None:
        attack.count(name)
        if (section, key) in figures:
            attack.count(name, *bounds(figures[(section, key)], base))

    bound("trained", "summary", "people_trained")
    for section in ("trained_by_audience", "trained_by_course", "trained_by_island",
                    "trained_by_sex", "trained_by_nationality", "trained_by_outcome"):  # fmt: skip
        bound("trained", section, "total")
    pairs = sorted(set(pairs))
    for course, island in pairs:
        attack.count(f"pair:{course}|{island}")
    courses = sorted({course for course, _island in pairs})
    islands = sorted({island for _course, island in pairs})
    for course in courses:
        bound(f"course:{course}", "trained_by_course", course)
        attack.add_up(f"course:{course}", [f"pair:{c}|{i}" for c, i in pairs if c == course])
    for island in islands:
        bound(f"island:{island}", "trained_by_island", island)
        attack.add_up(f"island:{island}", [f"pair:{c}|{i}" for c, i in pairs if i == island])
    attack.add_up("trained", [f"course:{course}" for course in courses])
    attack.add_up("trained", [f"island:{island}" for island in islands])
    groups = sorted({audiences[course] for course in courses})
    for group in groups:
        bound(f"audience:{group}", "trained_by_audience", group)
        attack.add_up(
            f"audience:{group}", [f"course:{c}" for c in courses if audiences[c] == group]
        )
    attack.add_up("trained", [f"audience:{group}" for group in groups])
    # A table not published at all tells nothing.
    present = {section for section, _key in figures}
    if "trained_by_sex" in present:
        for sex in SEXES:
            bound(f"sex:{sex}", "trained_by_sex", sex)
        attack.add_up("trained", [f"sex:{sex}" for sex in SEXES])
    if "trained_by_nationality" in present:
        listed = {key for section, key in figures if section == "trained_by_nationality"}
        groups = sorted((listed - {"total"}) | set(nationalities) | {ANOTHER})
        for code in groups:
            if code in listed:
                bound(f"nationality:{code}", "trained_by_nationality", code)
            else:
                attack.count(f"nationality:{code}", 0, base - 1)
        attack.add_up("trained", [f"nationality:{code}" for code in groups])
    if "trained_by_outcome" in present:
        for outcome in OUTCOMES:
            bound(f"outcome:{outcome}", "trained_by_outcome", outcome)
        attack.add_up("trained", [f"outcome:{outcome}" for outcome in OUTCOMES])
        bound(f"outcome:{COMPLETED}", "summary", "completed")
        attack.count("ended")
        attack.add_up("ended", [f"outcome:{COMPLETED}", f"outcome:{NOT_COMPLETED}"])
    for name in ("certificates_issued", "certificates_revoked"):
        if ("summary", name) in figures:
            bound(name, "summary", name)
    return attack.ranges()


def _truth(rows: Iterable[Participation], audiences: Mapping[str, str]) -> Counter[str]:
    truth: Counter[str] = Counter()
    for row in rows:
        truth[f"audience:{audiences[str(row.course)]}"] += 1
        truth.update(["trained", f"pair:{row.course}|{row.island}", f"course:{row.course}",
                      f"island:{row.island}", f"sex:{row.sex}",
                      f"nationality:{row.nationality}", f"outcome:{row.outcome}"])  # fmt: skip
        if row.outcome != NO_OUTCOME:
            truth["ended"] += 1
    return truth


def _figures(
    rounded: RoundedParticipants, base: int, islands: Iterable[str] = ()
) -> dict[tuple[str, str], str]:
    """What the page would publish of ``rounded`` (course keys as text): every fixed group
    (``islands``: those the catalogue names), and the nationalities not shown as "<base"."""

    def shown(value: int) -> str:
        return f"<{base}" if value == 0 else str(value)

    figures = {("summary", "people_trained"): shown(rounded.total),
               ("summary", "completed"): shown(rounded.completed),
               ("summary", "ended"): shown(rounded.ended)}  # fmt: skip
    for section, values in (("trained_by_course", rounded.by_course),
                            ("trained_by_island", dict.fromkeys(islands, 0) | rounded.by_island),
                            ("trained_by_audience", rounded.by_audience),
                            ("trained_by_sex", dict.fromkeys(SEXES, 0) | rounded.by_sex),
                            ("trained_by_outcome",
                             dict.fromkeys(OUTCOMES, 0) | rounded.by_outcome)):  # fmt: skip
        figures |= {(section, str(key)): shown(value) for key, value in values.items()}
        figures[(section, "total")] = shown(rounded.total)
    figures |= {("trained_by_nationality", code): str(value)
                for code, value in rounded.by_nationality.items() if value}  # fmt: skip
    figures[("trained_by_nationality", "total")] = shown(rounded.total)
    return figures


# Three courses, where they are given and for whom: what the catalogue tells.
GIVEN_ON = {"1": ["santiago", "sao_vicente"], "2": [ONLINE, "santiago"], "3": ["sal"]}
FOR = {"1": ["immigrants"], "2": ["staff", "civil_society"], "3": ["immigrants", "staff"]}
COUNTRIES = ("CV", "SN", "GN", UNKNOWN)
PARTICIPATIONS = st.lists(
    st.tuples(
        st.sampled_from([(c, i) for c, islands in GIVEN_ON.items() for i in islands]),
        st.sampled_from(SEXES),
        st.sampled_from(COUNTRIES),
        st.sampled_from((COMPLETED, NOT_COMPLETED, NO_OUTCOME)),
    ),
    max_size=25,
)


@hypothesis_settings(max_examples=50, deadline=None)
@given(rows=PARTICIPATIONS, first=st.integers(1, 10**9), base=st.sampled_from([3, 5, 10]))
def test_no_count_can_be_narrowed_below_the_base_in_random_tables(rows, first, base):
    """Random participants (course and island, sex, nationality, outcome) with random ids,
    rounded by ``round_participants`` and attacked: every count — each (course, island)
    cell, course, island, audience, sex, nationality, outcome and the total — keeps a range
    of at least base - 1, and the true count lies in it."""
    participations = [
        Participation(pk=first + n, course=int(course), island=island, sex=sex,
                      nationality=nationality, outcome=outcome)
        for n, ((course, island), sex, nationality, outcome) in enumerate(rows)
    ]  # fmt: skip
    rounded = round_participants(
        participations, audiences={int(c): a for c, a in FOR.items()}, base=base
    )
    ranges = attack_ranges(
        _figures(rounded, base, islands={i for islands in GIVEN_ON.values() for i in islands}),
        pairs=[(c, i) for c, islands in GIVEN_ON.items() for i in islands],
        audiences={course: audience_group(codes) for course, codes in FOR.items()},
        nationalities=COUNTRIES,
        base=base,
    )
    truth = _truth(participations, {c: audience_group(codes) for c, codes in FOR.items()})
    assert outside(ranges, {name: truth[name] for name in ranges}) == {}
    assert narrower_than(ranges, base - 1) == {}
    # Each figure is a multiple of the base next to its exact count, and each level adds up.
    shown = {"trained": rounded.total, "ended": rounded.ended}
    shown |= {f"pair:{c}|{i}": n for (c, i), n in rounded.by_pair.items()}
    for prefix, values in (("course", rounded.by_course), ("island", rounded.by_island),
                           ("audience", rounded.by_audience), ("sex", rounded.by_sex),
                           ("nationality", rounded.by_nationality),
                           ("outcome", rounded.by_outcome)):  # fmt: skip
        shown |= {f"{prefix}:{key}": n for key, n in values.items()}
        assert sum(values.values()) == rounded.total, prefix
    for name, n in shown.items():
        assert n % base == 0, name
        assert abs(n - truth[name]) < base, (name, n, truth[name])
    for course, n in rounded.by_course.items():
        assert n == sum(m for (c, _i), m in rounded.by_pair.items() if c == course)
    for island, n in rounded.by_island.items():
        assert n == sum(m for (_c, i), m in rounded.by_pair.items() if i == island)


def test_the_network_is_rounded_without_bias_the_same_way_for_the_same_seed():
    """Over many seeds each arc's rounded count averages its exact count; the same seed
    always rounds the same way; and what comes into each node still goes out."""
    arcs = [("t", "s", 7), ("s", "g", 7), ("g", "c1", 3), ("g", "c2", 4), ("c1", "i1", 3),
            ("c2", "i1", 1), ("c2", "i2", 3), ("i1", "t", 4), ("i2", "t", 3)]  # fmt: skip
    runs = [round_circulation(arcs, base=5, seed=seed) for seed in range(3000)]
    for index, (_tail, _head, n) in enumerate(arcs):
        mean = sum(run[index] for run in runs) / len(runs)
        assert abs(mean - n) < 0.3, (arcs[index], mean)
    assert round_circulation(arcs, base=5, seed=42) == runs[42]
    for run in runs:
        flow: Counter[str] = Counter()
        for (tail, head, _n), m in zip(arcs, run, strict=True):
            flow[head] += m
            flow[tail] -= m
        assert set(flow.values()) <= {0}
        assert all(abs(m - n) < 5 for (_t, _h, n), m in zip(arcs, run, strict=True))


def test_rounding_courses_and_islands_each_on_its_own_would_give_a_cell_away():
    """Why courses and islands are rounded together: course 1 is given only on Santiago,
    course 2 only on Sal, two people each. Rounded as two splits of the total, the keys can
    give "course 1: 5, Santiago: <5" — and since course 1 *is* Santiago, both are 1 to 4.
    Rounded together, whatever the keys, every count stays 4 wide. The exact figures of the
    old rules ("<5" for 1 to 4, totals exact) give a cell away entirely."""
    base = 5
    course = {"1": Counted(2), "2": Counted(2)}
    island = {"sal": Counted(2), "santiago": Counted(2)}
    apart = round_tally(
        Tally(total=Counted(4, key=0), splits={"course": course, "island": island}), base=base
    )
    figures = {("summary", "people_trained"): str(apart.total)}
    figures |= {
        ("trained_by_course", k): str(v or "<5") for k, v in apart.breakdowns["course"].items()
    }
    figures |= {
        ("trained_by_island", k): str(v or "<5") for k, v in apart.breakdowns["island"].items()
    }
    pairs = [("1", "santiago"), ("2", "sal")]
    unstated = {"1": UNKNOWN, "2": UNKNOWN}
    ranges = attack_ranges(figures, pairs=pairs, audiences=unstated)
    assert "course:1" in narrower_than(ranges, base - 1)

    participations = [
        Participation(pk=n, course=1 if n < 2 else 2, island="santiago" if n < 2 else "sal",
                      sex="female", nationality="CV", outcome=NO_OUTCOME)
        for n in range(4)
    ]  # fmt: skip
    for secret in (f"secret-{n}" for n in range(10)):
        with override_settings(SECRET_KEY=secret):
            rounded = round_participants(participations, audiences={1: [], 2: []}, base=base)
        ranges = attack_ranges(_figures(rounded, base, ["santiago", "sal"]), pairs=pairs,
                               audiences=unstated, nationalities=["CV"])  # fmt: skip
        assert narrower_than(ranges, base - 1) == {}

    exact = {("summary", "people_trained"): "4", ("trained_by_course", "1"): "<5",
             ("trained_by_course", "2"): "<5", ("trained_by_island", "santiago"): "<5",
             ("trained_by_island", "sal"): "<5", ("trained_by_sex", "female"): "<5",
             ("trained_by_sex", "male"): "0", ("trained_by_sex", "intersex"): "0",
             ("trained_by_sex", "not_stated"): "0"}  # fmt: skip
    ranges = attack_ranges(exact, pairs=pairs, audiences=unstated, bounds=naive_bounds)
    assert ranges["sex:female"] == (4, 4)


def test_the_hidden_cells_of_a_unit_cannot_be_recovered_from_its_page(coordinator, unit):
    """A unit's March, published through the page's own function and CSV rows, attacked with
    every relation the catalogue gives — whichever way the keys round: no count narrower
    than 4, the truth always inside. The lone Nigerian man online, the two on São Vicente and
    the one revoked certificate stay hidden."""
    portuguese = CourseFactory(unit=unit, audiences=["immigrants"])
    welcoming = CourseFactory(unit=unit, audiences=["staff", "civil_society"])
    praia = session_in(unit, course=portuguese)
    mindelo = session_in(unit, course=portuguese, island="São Vicente")
    online = session_in(unit, course=welcoming, island=None)
    praia_too = session_in(unit, course=welcoming)
    done = people(praia, 4, status=EnrolmentStatus.COMPLETED)
    people(praia, 2, status=EnrolmentStatus.NOT_COMPLETED, sex="male", nationalities=["GN"])
    people(mindelo, 2, nationalities=["CV"])
    people(online, 1, sex="male", nationalities=["NG"])
    staff(online, 3)
    anonymised(praia_too, 1)
    people(praia_too, 3, consent="none")
    certificate(done[0], issued=at(20, 10))
    certificate(done[1], issued=at(20, 10), revoked=at(21, 10), reason=RevocationReason.FRAUD)
    truth = Counter({
        "trained": 13, "ended": 6, "certificates_issued": 2, "certificates_revoked": 1,
        f"course:{portuguese.slug}": 8, f"course:{welcoming.slug}": 5,
        f"pair:{portuguese.slug}|santiago": 6, f"pair:{portuguese.slug}|sao_vicente": 2,
        f"pair:{welcoming.slug}|{ONLINE}": 4, f"pair:{welcoming.slug}|santiago": 1,
        "island:santiago": 7, "island:sao_vicente": 2, f"island:{ONLINE}": 4,
        "audience:immigrants": 8, "audience:staff+civil_society": 5,
        "sex:female": 7, "sex:male": 3, "sex:not_stated": 3,
        "nationality:SN": 5, "nationality:GN": 2, "nationality:CV": 2, "nationality:NG": 1,
        f"nationality:{UNKNOWN}": 3,
        f"outcome:{COMPLETED}": 4, f"outcome:{NOT_COMPLETED}": 2, f"outcome:{NO_OUTCOME}": 7,
    })  # fmt: skip
    pairs = [(key.split(":", 1)[1].split("|")[0], key.split("|")[1])
             for key in truth if key.startswith("pair:")]  # fmt: skip
    for secret in (f"statistics-secret-{n}" for n in range(10)):
        with override_settings(SECRET_KEY=secret):
            figures = published(read(coordinator, unit))
        ranges = attack_ranges(
            figures,
            pairs=pairs,
            audiences={portuguese.slug: "immigrants", welcoming.slug: "staff+civil_society"},
            nationalities=["SN", "GN", "CV", "NG", UNKNOWN],
        )  # fmt: skip
        assert outside(ranges, {name: truth[name] for name in ranges}) == {}
        assert narrower_than(ranges, BASE - 1) == {}
        for name in ("nationality:NG", "island:sao_vicente", "certificates_revoked"):
            assert ranges[name][1] - ranges[name][0] >= BASE - 1


# --- Audit, scope and cost ------------------------------------------------------------------


def test_each_reading_is_audited_with_its_period_and_unit(coordinator, unit):
    """An export also says how many rows of figures left."""
    read(coordinator, unit)
    stats = read(coordinator, unit, exported=True)
    viewed, exported = AuditEntry.objects.filter(action__startswith="learning.statistics").order_by(
        "pk"
    )
    assert viewed.action == "learning.statistics.viewed"
    assert viewed.data == {"period": "2026-03-01/2026-03-31", "unit": unit.slug}
    assert viewed.unit == unit
    assert exported.action == "learning.statistics.exported"
    assert exported.data["rows"] == len(list(statistics_rows(stats)))


def test_another_unit_all_units_and_partners_are_not_found_for_a_coordinator(
    coordinator, unit, other_unit, partner_unit
):
    for unit_id in (other_unit.pk, None, partner_unit.pk, 999_999):
        with pytest.raises(Http404):
            training_statistics(coordinator, unit_id=unit_id, **MARCH)
    assert not AuditEntry.objects.filter(action__startswith="learning.statistics").exists()
    assert list(statistics_units(coordinator)) == [unit]
    assert not sees_all_units(coordinator)


def test_analysts_and_administrators_read_every_unit_and_all_together(
    make_staff, unit, other_unit, partner_unit
):
    for role in (Role.ANALYST, Role.ADMINISTRATOR):
        reader = make_staff(role, other_unit)
        assert sees_all_units(reader)
        assert read(reader, unit).unit == unit
        assert read(reader, None).unit is None
        assert partner_unit not in statistics_units(reader)
        with pytest.raises(Http404):
            read(reader, partner_unit)


def test_roles_without_training_statistics_read_nothing(make_staff, unit):
    for role in (Role.FRONT_OFFICE_OFFICER, Role.TRAINER, Role.CONTENT_EDITOR):
        user = make_staff(role, unit)
        assert not statistics_units(user).exists()
        with pytest.raises(Http404):
            read(user, unit)


def test_an_end_before_the_start_is_refused(coordinator, unit):
    with pytest.raises(ValueError, match="end before start"):
        read(coordinator, unit, start=date(2026, 3, 31), end=date(2026, 3, 1))


def test_the_number_of_queries_does_not_grow_with_the_data(coordinator, unit):
    people(session_in(unit), 1)
    read(coordinator, unit)  # the user's roles, read once
    with CaptureQueriesContext(connection) as few:
        read(coordinator, unit)
    _uneven(unit)
    course = CourseFactory(unit=unit, audiences=[])
    staff(session_in(unit, course=course, island="Fogo"), 3)
    with CaptureQueriesContext(connection) as many:
        stats = read(coordinator, unit)
    assert cells(stats, "by_audience").get(UNKNOWN, 0) in (None, 5)
    assert len(many.captured_queries) == len(few.captured_queries) <= 8

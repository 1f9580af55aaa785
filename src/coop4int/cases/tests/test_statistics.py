"""A unit's statistics: who is counted (consent), each figure on small datasets built here,
the rounding and suppression that protect them — proved against an attacker's linear
programme on random tables — the period in Cape Verde time, the audit, and who may read
which unit.

Exact figures are asserted on datasets whose counts are multiples of 5: those are published
as they are, whichever way the rounding would go."""

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from django.utils import translation
from freezegun import freeze_time
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import add_interaction, change_status, open_case
from coop4int.cases.domain.statistics import (
    Breakdown,
    Counted,
    Tally,
    UnitStatistics,
    round_count,
    round_tally,
    sees_all_units,
    statistics_rows,
    statistics_units,
    unit_statistics,
)
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Case, Referral
from coop4int.cases.tests.disclosure_attack import (
    POPULATIONS,
    feasible_ranges,
    naive_bounds,
    narrower_than,
    outside,
    rounded_bounds,
    variable,
)
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service, TaxonomyTerm
from coop4int.people.domain.people import (
    PersonDetails,
    give_consent,
    register_person,
    withdraw_consent,
)
from coop4int.people.enums import ConsentMethod, Purpose, Sex

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")  # UTC-1
MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
# Every case of March is long overdue by then.
JUNE = datetime(2025, 6, 2, 12, tzinfo=CV)


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=CV)


def cells(breakdown: Breakdown) -> dict[str, int | None]:
    return {cell.key: cell.count for cell in breakdown.cells}


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)


@pytest.fixture
def residence(db):
    return TaxonomyTerm.objects.create(
        name="Residence", description="", names={"pt": "Residência", "en": "Residence"}
    )


def person(actor, unit, *, consent: str = "given", **details: Any):
    """A person of ``unit``; ``consent`` to statistics: "given", "withdrawn" or "none" (they
    agree to service delivery whatever it is)."""
    someone = register_person(actor=actor, unit=unit, details=PersonDetails(**details))
    give_consent(actor=actor, person=someone, purpose=Purpose.SERVICE, method=ConsentMethod.VERBAL)
    if consent in ("given", "withdrawn"):
        give_consent(
            actor=actor, person=someone, purpose=Purpose.STATISTICS, method=ConsentMethod.VERBAL
        )
    if consent == "withdrawn":
        withdraw_consent(actor=actor, person=someone, purpose=Purpose.STATISTICS)
    return someone


def walk_ins(actor, unit, how_many: int, *, when: datetime | None = None, topics=(), **details):
    """``how_many`` people who agreed to statistics, each opening one case at the desk."""
    return [
        open_case(actor=actor, unit=unit, channel=Channel.WALK_IN, subject=f"Pedido {n}",
                  person=person(actor, unit, given_names=f"P{n}", **details), topics=topics,
                  at=when or at(1 + n % 28))[0]
        for n in range(how_many)
    ]  # fmt: skip


def summary(stats: UnitStatistics) -> dict[str, int | None]:
    return {
        name: getattr(stats, name)
        for name in ("contacts", "cases_opened", "cases_closed", "overdue_now")
    }


# --- Who is counted -------------------------------------------------------------------------


def test_only_people_who_agreed_to_statistics_are_counted(coordinator, officer, unit):
    """Five people agreed; five never did, five withdrew, five requests came without a person
    record: only the first five appear, in every figure."""
    walk_ins(officer, unit, 5, sex="female")
    for consent in ("none", "withdrawn"):
        for n in range(5):
            someone = person(officer, unit, consent=consent, sex="male", given_names=f"N{n}")
            case = open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Visto",
                             person=someone, at=at(10))[0]  # fmt: skip
            Referral.objects.create(
                case=case, service=Service.objects.create(name=f"S{consent}{n}", unit=unit),
                partner=unit, status=ReferralStatus.SENT, sent_by=officer, sent_at=at(11),
                answer_due_at=at(12),
            )  # fmt: skip
    for n in range(5):
        open_case(actor=None, unit=unit, channel=Channel.WEB, subject=f"Web {n}", body="Olá",
                  at=at(12))  # fmt: skip
    with time_machine.travel(JUNE, tick=False):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert summary(stats) == {
        "contacts": 5, "cases_opened": 5, "cases_closed": None, "overdue_now": 5,
    }  # fmt: skip
    assert cells(stats.opened_by_sex) == {
        "female": 5, "male": None, "intersex": None, "not_stated": None,
    }  # fmt: skip
    assert cells(stats.contacts_by_channel)["walk_in"] == 5
    assert cells(stats.contacts_by_channel)["phone"] is None
    assert cells(stats.contacts_by_channel)["web"] is None
    assert stats.referrals_by_service.cells == ()
    assert stats.referrals_by_service.total is None


def test_a_consent_given_after_the_period_counts_and_a_withdrawal_removes_at_once(
    coordinator, officer, unit
):
    """Consent is read as it stands now: the figures of a past month change with it."""
    cases = walk_ins(officer, unit, 5, sex="female")
    assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).cases_opened == 5
    withdraw_consent(actor=officer, person=cases[0].person, purpose=Purpose.STATISTICS)
    # Four left: 0 or 5 depending on the rounding; never 4.
    assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).cases_opened in (None, 5)
    for case in cases[1:]:
        withdraw_consent(actor=officer, person=case.person, purpose=Purpose.STATISTICS)
    assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).cases_opened is None
    for case in cases:
        give_consent(actor=officer, person=case.person, purpose=Purpose.STATISTICS,
                     method=ConsentMethod.ONLINE)  # fmt: skip
    assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).cases_opened == 5


# --- The figures ----------------------------------------------------------------------------


def test_the_period_is_counted_in_cape_verde_time(coordinator, officer, unit):
    # 31 March 23:30 in Praia is already 1 April in UTC; 28 February 23:30 is 1 March in UTC.
    walk_ins(officer, unit, 5, when=datetime(2025, 3, 31, 23, 30, tzinfo=CV))
    walk_ins(officer, unit, 5, when=datetime(2025, 2, 28, 23, 30, tzinfo=CV))
    walk_ins(officer, unit, 5, when=at(1, month=4))
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.unit == unit
    assert stats.time_zone == "Atlantic/Cape_Verde"
    assert stats.cases_opened == 5
    last_day = unit_statistics(
        coordinator, unit_id=unit.pk, start=date(2025, 3, 31), end=date(2025, 3, 31)
    )
    assert last_day.cases_opened == 5
    first_day = unit_statistics(
        coordinator, unit_id=unit.pk, start=date(2025, 3, 1), end=date(2025, 3, 1)
    )
    assert first_day.cases_opened is None


def test_breakdowns_of_the_cases_opened(coordinator, officer, unit, residence):
    walk_ins(officer, unit, 10, topics=[residence], sex="female", nationalities=("SN",),
             island="santiago")  # fmt: skip
    walk_ins(officer, unit, 5, sex="male", nationalities=("gn",), island="sal")
    with translation.override("pt"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.cases_opened == 15
    assert cells(stats.opened_by_sex) == {
        "female": 10, "male": 5, "intersex": None, "not_stated": None,
    }  # fmt: skip
    # Open-ended lists leave out what rounds to nothing; fixed ones show every group.
    assert cells(stats.opened_by_nationality) == {"SN": 10, "GN": 5}
    assert not stats.opened_by_nationality.lists_all
    labels = {cell.key: cell.label for cell in stats.opened_by_nationality.cells}
    assert labels == {"SN": "Senegal", "GN": "Guiné"}
    island = cells(stats.opened_by_island)
    assert (island["santiago"], island["sal"], island["unknown"], island["brava"]) == (
        10, 5, None, None,
    )  # fmt: skip
    assert len(island) == 10
    # Topic names in the current language.
    assert cells(stats.opened_by_topic) == {"Residência": 10, "none": 5}
    for breakdown in (stats.opened_by_sex, stats.opened_by_nationality, stats.opened_by_topic):
        assert breakdown.total == 15


def test_a_person_with_two_nationalities_counts_under_each(coordinator, officer, unit):
    walk_ins(officer, unit, 5, nationalities=("SN", "CV"))
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.opened_by_nationality) == {"CV": 5, "SN": 5}
    assert stats.opened_by_nationality.total == 5


def test_topic_names_follow_the_language(coordinator, officer, unit, residence):
    walk_ins(officer, unit, 5, topics=[residence])
    with translation.override("en"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.opened_by_topic) == {"Residence": 5}


def test_sex_is_always_disaggregated_even_without_cases(coordinator, unit):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.opened_by_sex) == {
        "female": None, "male": None, "intersex": None, "not_stated": None,
    }  # fmt: skip
    assert stats.cases_opened is None
    assert stats.median_hours_to_first_reply is None
    assert stats.satisfaction_average is None


def _reply_and_resolve(officer, cases, replies, resolutions):
    for case, hours in zip(cases, replies, strict=False):
        add_interaction(actor=officer, case=case, channel=Channel.WALK_IN,
                        direction=Direction.OUT, body="Resposta", is_public=True,
                        at=case.opened_at + timedelta(hours=hours))  # fmt: skip
    for case, hours in zip(cases, resolutions, strict=False):
        with freeze_time(case.opened_at + timedelta(hours=hours)):
            change_status(actor=officer, case=case, status=Status.RESOLVED)


def test_medians_in_hours_from_five_cases(coordinator, officer, unit):
    cases = walk_ins(officer, unit, 5)
    _reply_and_resolve(officer, cases, (2, 4, 4, 10, 12), (24, 36, 36, 48, 60))
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.median_hours_to_first_reply == 4.0
    assert stats.median_hours_to_resolution == 36.0


def test_closed_means_resolved_or_closed_the_cases_the_median_resolution_is_taken_over(
    coordinator, officer, unit
):
    """One definition of closed (docs/glossary.md): resolved or closed, dated by the
    resolution. Five cases resolved and five closed without being resolved first count ten
    — not "closed <5" beside a median over the resolved ones — and closing a resolved case
    later neither counts it again nor moves it to the later month."""
    resolved = walk_ins(officer, unit, 5)
    _reply_and_resolve(officer, resolved, (), (24, 36, 36, 48, 60))
    for case in walk_ins(officer, unit, 5):
        with freeze_time(case.opened_at + timedelta(hours=12)):
            change_status(actor=officer, case=case, status=Status.CLOSED)
    for case in resolved:
        with freeze_time(at(2, month=4)):
            change_status(actor=officer, case=case, status=Status.CLOSED)

    march = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    april = unit_statistics(
        coordinator, unit_id=unit.pk, start=date(2025, 4, 1), end=date(2025, 4, 30)
    )

    assert march.cases_closed == 10
    assert march.median_hours_to_resolution == 18.0  # over the same ten: 12 ×5, 24 … 60
    assert april.cases_closed is None  # nothing was resolved in April
    assert april.median_hours_to_resolution is None
    assert ("summary", "cases_closed", "10") in list(statistics_rows(march))


def test_a_median_of_fewer_than_five_cases_is_not_given(coordinator, officer, unit):
    cases = walk_ins(officer, unit, 5)
    _reply_and_resolve(officer, cases, (2, 4, 10, 12), (24,))
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.median_hours_to_first_reply is None
    assert stats.median_hours_to_resolution is None


def test_overdue_now_counts_active_cases_without_a_reply_past_due(coordinator, officer, unit):
    cases = walk_ins(officer, unit, 10)
    walk_ins(officer, unit, 5, when=at(1, month=2))  # another month: "now" is any period's
    _reply_and_resolve(officer, cases[:5], (2,) * 5, ())
    with time_machine.travel(JUNE, tick=False):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.overdue_now == 10
    with time_machine.travel(at(1, hour=9, month=2), tick=False):
        assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).overdue_now is None


def test_referrals_by_service_and_result(coordinator, officer, unit, partner_unit):
    cases = walk_ins(officer, unit, 10)
    health = Service.objects.create(name="Centro de saúde", unit=partner_unit)
    lawyers = Service.objects.create(name="Apoio jurídico", unit=partner_unit)
    for n, case in enumerate(cases):
        served = n < 5
        Referral.objects.create(
            case=case, service=health if served else lawyers, partner=partner_unit,
            status=ReferralStatus.COMPLETED if served else ReferralStatus.SENT,
            outcome=ReferralOutcome.SERVED if served else "", sent_by=officer, sent_at=at(15),
            answer_due_at=at(16),
        )  # fmt: skip
    with translation.override("en"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.referrals_by_service) == {"Centro de saúde": 5, "Apoio jurídico": 5}
    results = cells(stats.referrals_by_result)
    assert (results["sent"], results["served"], results["declined"]) == (5, 5, None)
    assert set(results) == {*ReferralStatus.values, *ReferralOutcome.values}
    assert stats.referrals_by_result.total == 10


def _satisfied(cases, scores):
    for case, score in zip(cases, scores, strict=False):
        Case.objects.filter(pk=case.pk).update(satisfaction_asked_at=at(28), satisfaction=score)


def test_satisfaction_count_and_average(coordinator, officer, unit):
    _satisfied(walk_ins(officer, unit, 10), (5, 4, 4, 3, 5) * 2)
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.satisfaction_answers == 10
    assert stats.satisfaction_average == 4.2


def test_satisfaction_average_is_hidden_until_ten_answers_are_shown(coordinator, officer, unit):
    _satisfied(walk_ins(officer, unit, 5), (5, 4, 4, 3, 5))
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.satisfaction_answers == 5
    assert stats.average_from == 10
    assert stats.satisfaction_average is None


# --- Rounding and suppression ---------------------------------------------------------------


def test_multiples_of_the_base_stay_and_others_round_each_way_as_often_as_they_are_near():
    base = 5
    for n in range(0, 31, 5):
        assert {round_count(Counted(n, key), base=base) for key in (0, 2**63, 2**64 - 1)} == {n}
    # Over keys spread evenly, 7 rounds up to 10 in 2 cases of 5, down to 5 in the others:
    # on average, the count itself.
    keys = [(2 * k + 1) * 2**64 // (2 * base) for k in range(base)]  # 0.1, 0.3… of the range
    assert sorted(round_count(Counted(7, key), base=base) for key in keys) == [5, 5, 5, 10, 10]


@st.composite
def tallies(draw: st.DrawFn) -> tuple[int, Tally, int]:
    """A population of records in a split of 4 and one of 3 groups, and an overlapping
    breakdown of 3 groups; random counts and keys, a random base."""
    base = draw(st.sampled_from([2, 3, 5, 10]))
    records = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 2), st.sets(st.integers(0, 2)),
                      st.integers(0, 2**64 - 1)),
            max_size=40,
        )
    )  # fmt: skip
    splits: dict[str, dict[str, Counted]] = {"a": {}, "b": {}}
    over: dict[str, Counted] = {}

    def add(cells: dict[str, Counted], name: str, key: int) -> None:
        was = cells.get(name, Counted())
        cells[name] = Counted(was.n + 1, (was.key + key) % 2**64)

    total = Counted()
    for a, b, groups, key in records:
        total = Counted(total.n + 1, (total.key + key) % 2**64)
        add(splits["a"], str(a), key)
        add(splits["b"], str(b), key)
        for group in groups or {9}:
            add(over, str(group), key)
    at_least = draw(st.integers(0, len(records)))
    return base, Tally(total=total, splits=splits, overlaps={"o": over}), at_least


@given(tallies())
def test_rounded_tables_keep_every_relation_of_the_exact_ones(case):
    base, tally, smaller = case
    floor = round_tally(Tally(total=Counted(smaller, tally.total.key // 3)), base=base).total
    rounded = round_tally(tally, base=base, at_least=floor)
    figures = [(tally.total.n, rounded.total)]
    for code, exact in {**tally.splits, **tally.overlaps}.items():
        assert set(rounded.breakdowns[code]) == set(exact)
        figures += [(exact[name].n, rounded.breakdowns[code][name]) for name in exact]
    for n, published in figures:
        assert published % base == 0
        assert abs(published - n) < base
    for code in tally.splits:
        assert sum(rounded.breakdowns[code].values()) == rounded.total
    assert sum(rounded.breakdowns["o"].values()) >= rounded.total
    assert max(rounded.breakdowns["o"].values(), default=0) <= rounded.total
    assert rounded.total >= floor


def test_every_published_count_is_a_multiple_of_five_and_splits_add_up(
    coordinator, officer, unit, residence
):
    walk_ins(officer, unit, 7, topics=[residence], sex="female", nationalities=("SN",))
    walk_ins(officer, unit, 2, sex="male", nationalities=("GN",), island="brava")
    walk_ins(officer, unit, 1, sex="intersex", nationalities=("NG", "GN"), island="sal")
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    figures = [*summary(stats).values(), stats.satisfaction_answers]
    for breakdown in stats.breakdowns:
        figures += [breakdown.total, *(cell.count for cell in breakdown.cells)]
        if not breakdown.lists_all:
            assert None not in [cell.count for cell in breakdown.cells]
    assert all(figure is None or (figure > 0 and figure % 5 == 0) for figure in figures)
    for split in (stats.opened_by_sex, stats.opened_by_island, stats.contacts_by_channel):
        assert sum(cell.count or 0 for cell in split.cells) == (split.total or 0)
    assert stats.cases_opened == stats.opened_by_sex.total
    rows = list(statistics_rows(stats))
    assert not {value for section, _key, value in rows if section != "period"} & {
        "0", "1", "2", "3", "4", "6", "7", "8", "9"
    }  # fmt: skip


def test_the_same_records_round_the_same_way_whatever_the_period(coordinator, officer, unit):
    """Asking again, or for a period around the same records, gives the same figures: no
    average of many answers comes near the exact count."""
    walk_ins(officer, unit, 3, when=at(5), sex="female", nationalities=("SN",))
    walk_ins(officer, unit, 4, when=at(5), sex="male", nationalities=("GN",))
    periods = [MARCH, {"start": date(2025, 3, 5), "end": date(2025, 3, 5)},
               {"start": date(2025, 2, 1), "end": date(2025, 3, 9)}]  # fmt: skip
    published = {
        tuple(row for row in statistics_rows(unit_statistics(coordinator, unit_id=unit.pk,
                                                             **period)) if row[0] != "period")
        for period in periods * 2
    }  # fmt: skip
    assert len(published) == 1


def test_the_rounding_base_is_a_setting(coordinator, officer, unit, settings):
    settings.STATISTICS_SMALL_CELL = 10
    walk_ins(officer, unit, 10, sex="female")
    walk_ins(officer, unit, 3, sex="male")
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.small_cell == 10
    assert cells(stats.opened_by_sex)["female"] in (10, 20)
    assert cells(stats.opened_by_sex)["male"] in (None, 10)
    assert stats.cases_opened in (10, 20)
    rows = list(statistics_rows(stats))
    assert ("period", "rounding_base", "10") in rows
    assert ("cases_by_sex", "intersex", "<10") in rows


def test_rows_for_the_csv(coordinator, officer, unit):
    walk_ins(officer, unit, 10, sex="female")
    walk_ins(officer, unit, 5, sex="male")
    rows = list(statistics_rows(unit_statistics(coordinator, unit_id=unit.pk, **MARCH)))
    assert rows[:5] == [
        ("period", "start", "2025-03-01"),
        ("period", "end", "2025-03-31"),
        ("period", "unit", "praia"),
        ("period", "time_zone", "Atlantic/Cape_Verde"),
        ("period", "rounding_base", "5"),
    ]
    assert ("summary", "cases_opened", "15") in rows
    assert ("summary", "cases_closed", "<5") in rows
    assert ("summary", "median_hours_to_resolution", "") in rows
    assert ("cases_by_sex", "male", "5") in rows
    assert ("cases_by_sex", "intersex", "<5") in rows
    assert ("cases_by_sex", "total", "15") in rows


# --- The attacker's linear programme --------------------------------------------------------


def _published(rounded: Mapping[str, Any], base: int) -> dict[tuple[str, str], str]:
    return {key: f"<{base}" if value == 0 else str(value) for key, value in rounded.items()}


def test_the_old_rules_give_a_lone_person_away():
    """The day one Guinean woman came to the desk, the old page said "female <5, male 0,
    intersex 0, not stated 0, total 1" — and the same for her nationality and channel: each
    "<5" is exactly 1 (range 0). Six women and three others — "6, <5, <5, 0, total 9" —
    leave the two hidden cells at 1 or 2 (range 1). Today's rules, on the same days, keep
    every count at least 4 wide."""
    base = 5
    lone = {("summary", "cases_opened"): "1", ("summary", "contacts"): "1",
            ("cases_by_sex", "female"): "<5", ("cases_by_sex", "male"): "0",
            ("cases_by_sex", "total"): "1", ("cases_by_nationality", "GN"): "<5",
            ("cases_by_nationality", "total"): "1", ("contacts_by_channel", "walk_in"): "<5",
            ("contacts_by_channel", "phone"): "0", ("contacts_by_channel", "total"): "1",
            ("referrals_by_service", "total"): "0"}  # fmt: skip
    ranges = feasible_ranges(lone, base=base, bounds=naive_bounds)
    for hidden in ("cases_by_sex:female", "cases_by_nationality:GN", "contacts_by_channel:walk_in"):
        assert ranges[hidden] == (1, 1)
    several = {("summary", "cases_opened"): "9", ("summary", "contacts"): "9",
               ("cases_by_sex", "female"): "6", ("cases_by_sex", "male"): "<5",
               ("cases_by_sex", "intersex"): "<5", ("cases_by_sex", "not_stated"): "0",
               ("referrals_by_service", "total"): "0"}  # fmt: skip
    ranges = feasible_ranges(several, base=base, bounds=naive_bounds)
    assert ranges["cases_by_sex:male"] == ranges["cases_by_sex:intersex"] == (1, 2)
    assert set(narrower_than(ranges, base - 1)) >= {"cases_by_sex:male", "cases_by_sex:intersex"}

    # Today's rules on the lone woman, for every way her key may round: "<5" or "5" all along.
    for key in (0, 2**64 - 1):
        figures = _cases_published(
            [("female", "unknown", {"GN"}, set(), key)], [("walk_in", key)], [], base
        )
        ranges = feasible_ranges(figures, base=base, bounds=rounded_bounds,
                                 contacts_cover_cases=True)  # fmt: skip
        assert narrower_than(ranges, base - 1) == {}


def _cases_published(
    cases: list[tuple[str, str, set[str], set[str], int]],
    contacts: list[tuple[str, int]],
    referrals: list[tuple[str, str, int]],
    base: int,
) -> dict[tuple[str, str], str]:
    """What today's rules publish for these records (sex, island, nationalities, topics,
    key), (channel, key), (service, result, key): every group that might be there listed,
    "<base" included, as if the reader knew every possible group."""

    def cells(records, group) -> dict[str, Counted]:
        found: dict[str, Counted] = dict.fromkeys(group(None), Counted())
        for record in records:
            for name in group(record):
                was = found.get(name, Counted())
                found[name] = Counted(was.n + 1, (was.key + record[-1]) % 2**64)
        return found

    def total(records) -> Counted:
        return Counted(len(records), sum(record[-1] for record in records) % 2**64)

    def one(index: int, groups: list[str]):
        """The group of a record in field ``index`` (of ``None``: every possible group)."""
        return lambda r: groups if r is None else [r[index]]

    opened = round_tally(
        Tally(
            total=total(cases),
            splits={"cases_by_sex": cells(cases, one(0, SEXES)),
                    "cases_by_island": cells(cases, one(1, ISLANDS))},
            overlaps={"cases_by_nationality": cells(
                          cases, lambda r: COUNTRIES if r is None else r[2] or ["unknown"]),
                      "cases_by_topic": cells(
                          cases, lambda r: TOPICS if r is None else r[3] or ["none"])},
        ),
        base=base,
    )  # fmt: skip
    reached = round_tally(
        Tally(total=total(contacts),
              splits={"contacts_by_channel": cells(contacts, one(0, MEANS))}),
        base=base,
        at_least=opened.total if len(contacts) >= len(cases) else 0,
    )  # fmt: skip
    sent = round_tally(
        Tally(total=total(referrals),
              splits={"referrals_by_service": cells(referrals, one(0, SERVICES)),
                      "referrals_by_result": cells(referrals, one(1, RESULTS))}),
        base=base,
    )  # fmt: skip
    figures: dict[tuple[str, str], int] = {
        ("summary", "cases_opened"): opened.total,
        ("summary", "contacts"): reached.total,
    }
    for rounded in (opened, reached, sent):
        for code, breakdown in rounded.breakdowns.items():
            figures[(code, "total")] = rounded.total
            figures |= {(code, name): value for name, value in breakdown.items()}
    return _published(figures, base)


def _truth(
    cases: list[tuple[str, str, set[str], set[str], int]],
    contacts: list[tuple[str, int]],
    referrals: list[tuple[str, str, int]],
) -> Counter[str]:
    truth: Counter[str] = Counter(
        cases=len(cases), contacts=len(contacts), referrals=len(referrals)
    )
    for sex, island, nationalities, topics, _key in cases:
        truth[variable("cases_by_sex", sex)] += 1
        truth[variable("cases_by_island", island)] += 1
        for code in nationalities or {"unknown"}:
            truth[variable("cases_by_nationality", code)] += 1
        for topic in topics or {"none"}:
            truth[variable("cases_by_topic", topic)] += 1
    for channel, _key in contacts:
        truth[variable("contacts_by_channel", channel)] += 1
    for service, result, _key in referrals:
        truth[variable("referrals_by_service", service)] += 1
        truth[variable("referrals_by_result", result)] += 1
    return truth


KEYS = st.integers(0, 2**64 - 1)
SEXES = ["female", "male", "intersex", "not_stated"]
ISLANDS = ["santiago", "sal", "unknown"]
COUNTRIES = ["CV", "SN", "GN", "unknown"]
TOPICS = ["residence", "work", "health", "none"]
MEANS = ["walk_in", "phone", "email", "sms"]
SERVICES = ["health", "lawyers"]
RESULTS = ["sent", "served"]
CASE_RECORDS = st.tuples(
    st.sampled_from(SEXES),
    st.sampled_from(ISLANDS),
    st.sets(st.sampled_from(COUNTRIES[:-1]), max_size=2),
    st.sets(st.sampled_from(TOPICS[:-1]), max_size=2),
    KEYS,
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    base=st.sampled_from([3, 5, 10]),
    cases=st.lists(CASE_RECORDS, max_size=30),
    channels=st.lists(st.sampled_from(MEANS), max_size=40),
    contact_keys=st.lists(KEYS, min_size=70, max_size=70),
    referrals=st.lists(
        st.tuples(st.sampled_from(SERVICES), st.sampled_from(RESULTS), KEYS),
        max_size=12,
    ),
)  # fmt: skip
def test_no_count_can_be_narrowed_below_the_base_in_random_tables(
    base, cases, channels, contact_keys, referrals
):
    """Random tables, keys and bases, published by today's rules and attacked: every count —
    each cell, each total — keeps a range of at least base - 1, and the true count lies in
    it (the programme holds only true relations)."""
    # Each case brings its first contact (so contacts cover cases), then a few more.
    contacts = list(zip([*(["walk_in"] * len(cases)), *channels], contact_keys, strict=False))
    published = _cases_published(cases, contacts, referrals, base)
    ranges = feasible_ranges(published, base=base, bounds=rounded_bounds, contacts_cover_cases=True)
    truth = _truth(cases, contacts, referrals)
    assert outside(ranges, {name: truth[name] for name in ranges}) == {}
    assert narrower_than(ranges, base - 1) == {}


CHANNELS = [Channel.WALK_IN, Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.SMS]
DB_CASES = st.fixed_dictionaries(
    {
        "channel": st.sampled_from(CHANNELS),
        "day": st.integers(1, 31),
        "topics": st.sets(st.sampled_from(["Residence", "Work"]), max_size=2),
        "more": st.lists(st.sampled_from(CHANNELS), max_size=2),
        "referral": st.none()
        | st.tuples(st.sampled_from(["Saúde", "Juristas"]), st.sampled_from(["sent", "served"])),
    }
)
DB_PEOPLE = st.fixed_dictionaries(
    {
        "sex": st.sampled_from(Sex.values),
        "island": st.sampled_from(["", "santiago", "brava"]),
        "nationalities": st.lists(st.sampled_from(["CV", "SN", "gn"]), max_size=2, unique=True),
        "consent": st.sampled_from(["given", "given", "none", "withdrawn"]),
        "cases": st.lists(DB_CASES, min_size=1, max_size=3),
    }
)


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(DB_PEOPLE, max_size=10),
    anonymous=st.lists(DB_CASES, max_size=3),
    secret=st.text(min_size=10, max_size=20),
)
def test_no_published_count_of_a_unit_can_be_narrowed_below_five(
    coordinator, officer, unit, partner_unit, people, anonymous, secret
):
    """Random people (sex, island, nationalities, consent) and cases (channel, day, topics,
    further contacts, a referral) in a unit in March, published through the page's own
    function and CSV rows, then attacked — knowing even which groups exist. Each example runs
    in a savepoint rolled back at its end."""
    with transaction.atomic(), override_settings(SECRET_KEY=secret):
        topics = {name: TaxonomyTerm.objects.create(name=name, description="")
                  for name in ("Residence", "Work")}  # fmt: skip
        services = {name: Service.objects.create(name=name, unit=partner_unit)
                    for name in ("Saúde", "Juristas")}  # fmt: skip
        truth: Counter[str] = Counter()

        def file(case_data, someone, counted: bool) -> None:
            opened_at = at(case_data["day"])
            case = open_case(
                actor=officer, unit=unit, channel=case_data["channel"], subject="Pedido",
                person=someone, body="Olá", topics=[topics[t] for t in case_data["topics"]],
                at=opened_at,
            )[0]  # fmt: skip
            channels = [case_data["channel"], *case_data["more"]]
            for n, channel in enumerate(case_data["more"], start=1):
                add_interaction(actor=None, case=case, channel=channel, direction=Direction.IN,
                                body="Mais", is_public=True,
                                at=opened_at + timedelta(minutes=n))  # fmt: skip
            if case_data["referral"]:
                service, result = case_data["referral"]
                Referral.objects.create(
                    case=case, service=services[service], partner=partner_unit,
                    status=ReferralStatus.COMPLETED if result == "served" else result,
                    outcome=ReferralOutcome.SERVED if result == "served" else "",
                    sent_by=officer, sent_at=opened_at, answer_due_at=opened_at,
                )  # fmt: skip
            if not counted:
                return
            truth.update(cases=1, contacts=len(channels), referrals=bool(case_data["referral"]))
            truth["summary:overdue_now"] += 1
            truth.update(variable("contacts_by_channel", channel) for channel in channels)
            truth.update(variable("cases_by_topic", t) for t in case_data["topics"] or {"none"})
            if case_data["referral"]:
                truth[variable("referrals_by_service", service)] += 1
                truth[variable("referrals_by_result", result)] += 1
            truth[variable("cases_by_sex", someone.sex)] += 1
            truth[variable("cases_by_island", someone.island or "unknown")] += 1
            codes = {code.upper() for code in someone.nationalities} or {"unknown"}
            truth.update(variable("cases_by_nationality", code) for code in codes)

        for n, data in enumerate(people):
            someone = person(officer, unit, consent=data["consent"], given_names=f"P{n}",
                             sex=data["sex"], island=data["island"],
                             nationalities=tuple(data["nationalities"]))  # fmt: skip
            for case_data in data["cases"]:
                file(case_data, someone, counted=data["consent"] == "given")
        for case_data in anonymous:
            file(case_data, None, counted=False)

        with time_machine.travel(JUNE, tick=False), translation.override("en"):
            stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
        published = {
            (section, key): value
            for section, key, value in statistics_rows(stats)
            if section != "period" and value != ""
        }
        transaction.set_rollback(True)

    hidden: dict[str, list[str]] = {}
    for name in truth:
        if ":" in name and not name.startswith("summary:"):
            section, key = name.split(":", 1)
            hidden.setdefault(section, []).append(key)
    ranges = feasible_ranges(published, base=5, bounds=rounded_bounds, hidden=hidden,
                             contacts_cover_cases=True)  # fmt: skip
    assert outside(ranges, {name: truth[name] for name in ranges}) == {}
    assert narrower_than(ranges, 5 - 1) == {}
    assert {p.name for p in POPULATIONS} <= set(ranges)


# --- Audit and scope ------------------------------------------------------------------------


def test_each_reading_is_audited_with_its_period_and_unit(coordinator, make_staff, unit):
    """An export also says how many rows of figures left."""
    unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    exported = unit_statistics(coordinator, unit_id=unit.pk, exported=True,
                               start=date(2025, 3, 5), end=date(2025, 3, 5))  # fmt: skip
    rows = len(list(statistics_rows(exported)))
    assert rows > 10
    analyst = make_staff(Role.ANALYST, unit)
    unit_statistics(analyst, unit_id=None, **MARCH)
    entries = list(AuditEntry.objects.filter(action__startswith="cases.statistics.").order_by("id"))
    assert [(e.action, e.actor, e.unit, e.data) for e in entries] == [
        ("cases.statistics.viewed", coordinator, unit,
         {"period": "2025-03-01/2025-03-31", "unit": "praia"}),
        ("cases.statistics.exported", coordinator, unit,
         {"period": "2025-03-05/2025-03-05", "unit": "praia", "rows": rows}),
        ("cases.statistics.viewed", analyst, unit,
         {"period": "2025-03-01/2025-03-31", "unit": "all"}),
    ]  # fmt: skip


def test_a_refused_reading_leaves_no_audit_entry(coordinator, other_unit):
    with pytest.raises(Http404):
        unit_statistics(coordinator, unit_id=other_unit.pk, **MARCH)
    assert not AuditEntry.objects.filter(action__startswith="cases.statistics.").exists()


def test_another_unit_is_not_found_for_its_neighbours(coordinator, officer, other_unit):
    for user in (coordinator, officer):
        with pytest.raises(Http404):
            unit_statistics(user, unit_id=other_unit.pk, **MARCH)
        with pytest.raises(Http404):
            unit_statistics(user, unit_id=None, **MARCH)
        assert not sees_all_units(user)


def test_a_unit_that_does_not_exist_is_not_found(make_staff, unit):
    administrator = make_staff(Role.ADMINISTRATOR, unit)
    with pytest.raises(Http404):
        unit_statistics(administrator, unit_id=999_999, **MARCH)


def test_partners_and_trainers_read_no_statistics(make_staff, unit, partner_unit):
    for user in (make_staff(Role.PARTNER_USER, partner_unit), make_staff(Role.TRAINER, unit)):
        with pytest.raises(Http404):
            unit_statistics(user, unit_id=unit.pk, **MARCH)
        assert not statistics_units(user).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_analysts_and_administrators_read_every_unit_and_all_together(
    make_staff, officer, unit, other_unit, partner_unit, role
):
    walk_ins(officer, unit, 5)
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    walk_ins(stranger, other_unit, 5)
    reader = make_staff(role, unit)
    assert sees_all_units(reader)
    assert set(statistics_units(reader)) >= {unit, other_unit}
    assert partner_unit not in statistics_units(reader)
    assert unit_statistics(reader, unit_id=other_unit.pk, **MARCH).cases_opened == 5
    everywhere = unit_statistics(reader, unit_id=None, **MARCH)
    assert everywhere.unit is None
    assert everywhere.cases_opened == 10
    assert ("period", "unit", "all") in list(statistics_rows(everywhere))


def test_a_coordinator_reads_only_their_unit(coordinator, unit):
    assert list(statistics_units(coordinator)) == [unit]


def test_end_before_start_is_refused(coordinator, unit):
    with pytest.raises(ValueError, match="end before start"):
        unit_statistics(coordinator, unit_id=unit.pk, start=date(2025, 3, 2), end=date(2025, 3, 1))

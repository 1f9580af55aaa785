"""A unit's statistics: each figure on a small dataset built here, the medians, the small-cell
rule, the period in Cape Verde time, and who may read which unit."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404
from django.utils import translation
from freezegun import freeze_time

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import add_interaction, change_status, open_case
from coop4int.cases.domain.statistics import (
    Breakdown,
    sees_all_units,
    statistics_rows,
    statistics_units,
    unit_statistics,
)
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, ReferralStatus, Status
from coop4int.cases.models import Case, Referral
from coop4int.directory.models import Service, TaxonomyTerm
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")  # UTC-1
MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}


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


@pytest.fixture
def march(unit, other_unit, partner_unit, officer, residence, make_staff):
    """Praia in March 2025: six Senegalese women (walk-ins on residence), two Guinean men
    (phone calls on residence), one anonymous web request without a topic; an e-mail from
    one of the women; three first replies, two resolutions, one closing; five satisfaction
    answers; six referrals. Around it, what must not count: other months, another unit."""
    women = [
        register_person(
            actor=officer, unit=unit,
            details=PersonDetails(given_names=f"W{n}", sex="female", nationalities=("SN",),
                                  island="santiago"),
        )
        for n in range(6)
    ]  # fmt: skip
    men = [
        register_person(
            actor=officer, unit=unit,
            details=PersonDetails(given_names=f"M{n}", sex="male", nationalities=("gn",),
                                  island="sal"),
        )
        for n in range(2)
    ]  # fmt: skip
    cases = [
        open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto",
                  person=person, topics=[residence], at=at(3 + n))[0]
        for n, person in enumerate(women)
    ]  # fmt: skip
    cases += [
        open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Visto",
                  person=person, topics=[residence], at=at(12 + n))[0]
        for n, person in enumerate(men)
    ]  # fmt: skip
    anonymous = open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Pedido", body="Olá", at=at(20)
    )[0]
    cases.append(anonymous)
    add_interaction(actor=None, case=cases[0], channel=Channel.EMAIL, direction=Direction.IN,
                    body="Mais uma pergunta", is_public=True, at=at(25))  # fmt: skip
    # First replies after 2, 4 and 10 hours: median 4.
    for case, hours in zip(cases[:3], (2, 4, 10), strict=True):
        add_interaction(actor=officer, case=case, channel=Channel.WALK_IN,
                        direction=Direction.OUT, body="Resposta", is_public=True,
                        at=case.opened_at + timedelta(hours=hours))  # fmt: skip
    # Resolved after 24 and 48 hours (median 36); the second is then closed.
    with freeze_time(cases[0].opened_at + timedelta(hours=24)):
        change_status(actor=officer, case=cases[0], status=Status.RESOLVED)
    with freeze_time(cases[1].opened_at + timedelta(hours=48)):
        change_status(actor=officer, case=cases[1], status=Status.RESOLVED)
    with freeze_time(cases[1].opened_at + timedelta(hours=50)):
        change_status(actor=officer, case=cases[1], status=Status.CLOSED)
    for case, score in zip(cases[:5], (5, 4, 4, 3, 5), strict=True):
        Case.objects.filter(pk=case.pk).update(satisfaction_asked_at=at(28), satisfaction=score)
    health = Service.objects.create(name="Centro de saúde", unit=partner_unit)
    lawyers = Service.objects.create(name="Apoio jurídico", unit=partner_unit)
    for n, (service, status, outcome) in enumerate(
        [(health, ReferralStatus.COMPLETED, ReferralOutcome.SERVED)] * 5
        + [(lawyers, ReferralStatus.SENT, "")]
    ):
        Referral.objects.create(
            case=cases[n], service=service, partner=partner_unit, status=status,
            outcome=outcome, sent_by=officer, sent_at=at(15), answer_due_at=at(16),
        )  # fmt: skip
    # Not March in Cape Verde: 28 February 23:30 (1 March 00:30 UTC), and April.
    open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Cedo",
              at=datetime(2025, 2, 28, 23, 30, tzinfo=CV))  # fmt: skip
    open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Tarde",
              at=at(1, month=4))  # fmt: skip
    # Another unit's March.
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    open_case(actor=stranger, unit=other_unit, channel=Channel.WALK_IN, subject="Mindelo",
              at=at(10))  # fmt: skip
    return cases


def test_counts_of_the_period_in_cape_verde_time(coordinator, unit, march):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.unit == unit
    assert stats.time_zone == "Atlantic/Cape_Verde"
    assert stats.cases_opened == 9
    assert stats.cases_closed == 1
    # Walk-ins and calls are contacts from their opening; plus one web form and one e-mail.
    assert stats.contacts == 10
    assert cells(stats.contacts_by_channel) == {
        "walk_in": 6, "phone": None, "email": None, "web": None, "sms": 0, "whatsapp": 0,
    }  # fmt: skip


def test_last_evening_of_the_month_in_cape_verde_counts_in_that_month(coordinator, unit, march):
    # 31 March 23:30 in Praia is already 1 April in UTC.
    open_case(actor=coordinator, unit=unit, channel=Channel.WALK_IN, subject="Noite",
              at=datetime(2025, 3, 31, 23, 30, tzinfo=CV))  # fmt: skip
    assert unit_statistics(coordinator, unit_id=unit.pk, **MARCH).cases_opened == 10
    one_day = unit_statistics(
        coordinator, unit_id=unit.pk, start=date(2025, 3, 31), end=date(2025, 3, 31)
    )
    assert one_day.cases_opened == 1


def test_breakdowns_of_the_cases_opened(coordinator, unit, march):
    with translation.override("pt"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.opened_by_sex) == {
        "female": 6, "male": None, "intersex": 0, "not_stated": 0, "anonymous": None,
    }  # fmt: skip
    assert cells(stats.opened_by_nationality) == {"SN": 6, "GN": None, "anonymous": None}
    labels = {cell.key: cell.label for cell in stats.opened_by_nationality.cells}
    assert labels["SN"] == "Senegal"
    assert labels["GN"] == "Guiné"
    assert cells(stats.opened_by_island) == {"santiago": 6, "sal": None, "anonymous": None}
    # Topic names in the current language.
    assert cells(stats.opened_by_topic) == {"Residência": 8, "none": None}
    for breakdown in (stats.opened_by_sex, stats.opened_by_nationality, stats.opened_by_topic):
        assert breakdown.total == 9


def test_topic_names_follow_the_language(coordinator, unit, march):
    with translation.override("en"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert "Residence" in cells(stats.opened_by_topic)


def test_sex_is_always_disaggregated_even_without_cases(coordinator, unit):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.opened_by_sex) == {
        "female": 0, "male": 0, "intersex": 0, "not_stated": 0,
    }  # fmt: skip
    assert stats.median_hours_to_first_reply is None
    assert stats.satisfaction_average is None


def test_medians_in_hours(coordinator, unit, march):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.median_hours_to_first_reply == 4.0
    assert stats.median_hours_to_resolution == 36.0


def test_overdue_now_counts_active_cases_without_a_reply_past_due(coordinator, unit, march):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    # 9 of March + 2 around it, less the 3 answered: whatever the period, it is "now".
    assert stats.overdue_now == 8


def test_referrals_by_service_and_result(coordinator, unit, march):
    with translation.override("en"):
        stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert cells(stats.referrals_by_service) == {"Centro de saúde": 5, "Apoio jurídico": None}
    assert cells(stats.referrals_by_result) == {"sent": None, "served": 5}
    assert stats.referrals_by_result.total == 6


def test_satisfaction_count_and_average(coordinator, unit, march):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.satisfaction_answers == 5
    assert stats.satisfaction_average == 4.2


def test_satisfaction_average_is_hidden_under_five_answers(coordinator, unit, march):
    Case.objects.filter(pk=march[0].pk).update(satisfaction=None)
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    assert stats.satisfaction_answers == 4
    assert stats.satisfaction_average is None


def test_small_counts_never_leave_the_domain(coordinator, unit, march):
    """Every count from 1 to 4 in any breakdown is suppressed; zero and five or more are not;
    totals stay exact."""
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    counts = [cell.count for b in stats.breakdowns for cell in b.cells]
    assert None in counts
    assert not [count for count in counts if count is not None and 0 < count < 5]
    assert stats.contacts_by_channel.total == 10
    csv_values = {value for _section, _key, value in statistics_rows(stats)}
    assert "<5" in csv_values
    assert not {"1", "2", "3", "4"} & {
        value for section, key, value in statistics_rows(stats)
        if section not in {"summary", "period"} and key != "total"
    }  # fmt: skip


def test_suppressed_cells_follow_the_shown_ones_by_name(coordinator, unit, march):
    stats = unit_statistics(coordinator, unit_id=unit.pk, **MARCH)
    keys = [cell.key for cell in stats.opened_by_nationality.cells]
    assert keys[0] == "SN"
    hidden = [c.label for c in stats.opened_by_nationality.cells if c.count is None]
    assert hidden == sorted(hidden)


def test_rows_for_the_csv(coordinator, unit, march):
    rows = list(statistics_rows(unit_statistics(coordinator, unit_id=unit.pk, **MARCH)))
    assert rows[:4] == [
        ("period", "start", "2025-03-01"),
        ("period", "end", "2025-03-31"),
        ("period", "unit", "praia"),
        ("period", "time_zone", "Atlantic/Cape_Verde"),
    ]
    assert ("summary", "cases_opened", "9") in rows
    assert ("summary", "median_hours_to_resolution", "36") in rows
    assert ("summary", "satisfaction_average", "4.2") in rows
    assert ("cases_by_sex", "male", "<5") in rows
    assert ("cases_by_sex", "intersex", "0") in rows
    assert ("cases_by_sex", "total", "9") in rows


def test_another_unit_is_not_found_for_its_neighbours(coordinator, officer, other_unit, march):
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
    make_staff, unit, other_unit, partner_unit, march, role
):
    reader = make_staff(role, unit)
    assert sees_all_units(reader)
    assert set(statistics_units(reader)) >= {unit, other_unit}
    assert partner_unit not in statistics_units(reader)
    assert unit_statistics(reader, unit_id=other_unit.pk, **MARCH).cases_opened == 1
    everywhere = unit_statistics(reader, unit_id=None, **MARCH)
    assert everywhere.unit is None
    assert everywhere.cases_opened == 10
    assert ("period", "unit", "all") in list(statistics_rows(everywhere))


def test_a_coordinator_reads_only_their_unit(coordinator, unit):
    assert list(statistics_units(coordinator)) == [unit]


def test_end_before_start_is_refused(coordinator, unit):
    with pytest.raises(ValueError, match="end before start"):
        unit_statistics(coordinator, unit_id=unit.pk, start=date(2025, 3, 2), end=date(2025, 3, 1))

"""The statistics page and its CSV: the period form, figures in the reader's language, who is
counted and the rounding rule on screen and in the file, the audit of every reading, scope,
bad input, and a fixed query count. Counts are multiples of 5, which the rounding keeps."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case, reply
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.directory.models import TaxonomyTerm
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
URL = reverse("backoffice:case_statistics")
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def desk(client, login_verified, coordinator):
    login_verified(client, coordinator)
    return client


def _march(
    unit, actor, *, women: int, men: int, first: int = 0, consent: bool = True, topic=None
) -> None:
    """Walk-ins in March 2025 from Senegalese women and Guinean men on one topic, each
    satisfied with a 4 or a 5; with their consent to statistics unless ``consent`` is
    false."""
    if topic is None:
        topic, _created = TaxonomyTerm.objects.get_or_create(
            name="Residence", defaults={"description": "", "names": {"pt": "Residência"}}
        )
    for n in range(first, first + women + men):
        woman = n < first + women
        person = register_person(
            actor=actor, unit=unit,
            details=PersonDetails(given_names=f"P{n}", sex="female" if woman else "male",
                                  nationalities=("SN",) if woman else ("GN",)),
        )  # fmt: skip
        if consent:
            give_consent(actor=actor, person=person, purpose=Purpose.STATISTICS,
                         method=ConsentMethod.IN_PERSON)  # fmt: skip
        case = open_case(actor=actor, unit=unit, channel=Channel.WALK_IN, subject=f"Pedido {n}",
                         person=person, topics=[topic],
                         at=datetime(2025, 3, 1 + n % 28, 9, tzinfo=CV))[0]  # fmt: skip
        Case.objects.filter(pk=case.pk).update(
            satisfaction_asked_at=case.opened_at + timedelta(days=1), satisfaction=4 + n % 2
        )


def _text(response) -> str:
    return response.content.decode()


def test_the_page_opens_on_the_current_month_of_the_users_unit(desk, unit):
    today = timezone.localdate(timezone=CV)
    response = desk.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["start"].value() == today.replace(day=1).isoformat()
    stats = response.context["stats"]
    assert stats.unit == unit
    assert stats.start == today.replace(day=1)
    assert stats.end.month == today.month
    assert (stats.end + timedelta(days=1)).day == 1
    body = _text(response)
    with translation.override("pt"):
        assert translation.gettext("Download CSV") in body
        assert translation.gettext("Cases opened by sex") in body


def test_figures_are_shown_in_the_readers_language_with_small_cells_hidden(desk, unit, coordinator):
    _march(unit, coordinator, women=10, men=5)
    _march(unit, coordinator, women=0, men=5, first=20, consent=False)
    portuguese = _text(desk.get(URL, MARCH | {"unit": unit.pk}))
    # 10 women and 5 men who agreed (5 more men did not); nobody intersex, shown "<5"; the
    # average satisfaction of 15 answers: 4.5.
    assert "<td>10</td>" in portuguese
    assert "<td>5</td>" in portuguese
    assert "&lt;5</span>" in portuguese
    assert "<td>20</td>" not in portuguese
    assert "<td>4,5</td>" in portuguese
    assert "Residência" in portuguese
    assert "Senegal" in portuguese
    english = _text(desk.get(URL, MARCH, headers={"accept-language": "en"}))
    assert "<td>4.5</td>" in english
    assert "1 March 2025" in english or "1 Mar 2025" in english  # day first, as read here


def test_the_page_says_who_is_counted_and_how_figures_are_rounded(desk, unit):
    body = _text(desk.get(URL, MARCH, headers={"accept-language": "en"}))
    assert "Only people who agreed to the use of their data in statistics are counted" in body
    assert "rounded up or down to a multiple of 5" in body
    assert "Groups shown as “&lt;5” are left out of this list." in body


def test_a_few_cases_show_no_number_at_all(desk, unit, coordinator):
    """Two cases: "<5" for the cases, for each group and for every total — or, rounded up,
    5 — never 2, never a zero next to them."""
    _march(unit, coordinator, women=1, men=1)
    response = desk.get(URL, MARCH | {"unit": unit.pk, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    values = {value for section, _key, value in rows[1:] if section != "period"}
    assert values <= {"<5", "5", ""}
    assert ["cases_by_sex", "intersex", "<5"] in rows


def test_the_csv_download(desk, unit, coordinator):
    _march(unit, coordinator, women=10, men=5)
    response = desk.get(URL, MARCH | {"unit": unit.pk, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="coop4int-cases-praia-2025-03-01-2025-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == ["section", "key", "value"]
    assert ["period", "rounding_base", "5"] in rows
    assert ["summary", "cases_opened", "15"] in rows
    assert ["summary", "contacts", "15"] in rows
    assert ["cases_by_sex", "female", "10"] in rows
    assert ["cases_by_sex", "male", "5"] in rows
    assert ["cases_by_sex", "intersex", "<5"] in rows
    assert ["cases_by_nationality", "GN", "5"] in rows
    assert ["cases_by_sex", "total", "15"] in rows
    # No count from 0 to 4 anywhere: every figure is a multiple of 5 or "<5".
    assert not [
        row for row in rows[1:]
        if row[0] != "period" and row[2] not in {"", "<5"} and int(float(row[2])) % 5
        and "median" not in row[1] and "average" not in row[1]
    ]  # fmt: skip


def test_every_view_and_every_download_is_audited(desk, unit, coordinator):
    desk.get(URL, MARCH | {"unit": unit.pk})
    response = desk.get(URL, MARCH | {"unit": unit.pk, "format": "csv"})
    # The export says how many rows of figures left: the file's, its header aside.
    exported_rows = len(list(csv.reader(io.StringIO(response.content.decode("utf-8"))))) - 1
    assert exported_rows > 10
    entries = AuditEntry.objects.filter(action__startswith="cases.statistics.").order_by("id")
    assert [(e.action, e.actor, e.unit, e.data) for e in entries] == [
        ("cases.statistics.viewed", coordinator, unit,
         {"period": "2025-03-01/2025-03-31", "unit": "praia"}),
        ("cases.statistics.exported", coordinator, unit,
         {"period": "2025-03-01/2025-03-31", "unit": "praia", "rows": exported_rows}),
    ]  # fmt: skip
    assert all(entry.request_id for entry in entries)


def test_a_form_error_or_a_refused_unit_reads_nothing_and_audits_nothing(desk, other_unit):
    desk.get(URL, {"start": "2025-03-31", "end": "2025-03-01"})
    desk.get(URL, MARCH | {"unit": other_unit.pk, "format": "csv"})
    assert not AuditEntry.objects.filter(action__startswith="cases.statistics.").exists()


def test_the_page_links_to_the_csv_of_the_same_period(desk, unit):
    body = _text(desk.get(URL, MARCH | {"unit": unit.pk}))
    assert f"?start=2025-03-01&amp;end=2025-03-31&amp;unit={unit.pk}&amp;format=csv" in body


def test_a_name_a_spreadsheet_would_run_is_kept_as_text(desk, unit, coordinator):
    topic = TaxonomyTerm.objects.create(name="=HYPERLINK(1)", description="")
    _march(unit, coordinator, women=5, men=0, topic=topic)
    rows = list(csv.reader(io.StringIO(
        desk.get(URL, MARCH | {"format": "csv"}).content.decode("utf-8")
    )))  # fmt: skip
    assert ["cases_by_topic", "'=HYPERLINK(1)", "5"] in rows


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-03-31", "end": "2025-03-01"},
         "The end of the period cannot come before its start."),
        ({"start": "2025-02-30", "end": "2025-03-01"}, "Enter a valid date."),
        ({"start": "yesterday", "end": "2025-03-01"}, "Enter a valid date."),
        ({"start": "", "end": "2025-03-01"}, "This field is required."),
        ({"start": "0001-01-01", "end": "9999-12-31"},
         "Ensure this value is greater than or equal to %(limit_value)s."),
    ],
)  # fmt: skip
def test_bad_dates_give_a_form_error_in_the_users_language(desk, query, message):
    for extra in ({}, {"format": "csv"}):
        response = desk.get(URL, query | extra, headers={"accept-language": "pt"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["stats"] is None
        with translation.override("pt"):
            expected = translation.gettext(message).split("%(")[0]
        assert expected
        assert expected in response.content.decode().replace("&#x27;", "'")


def test_a_unit_that_is_not_a_number_is_a_form_error(desk):
    response = desk.get(URL, MARCH | {"unit": "praia"})
    assert response.status_code == 200
    assert response.context["stats"] is None
    assert "unit" in response.context["form"].errors


def test_another_units_statistics_are_not_found(desk, other_unit):
    assert desk.get(URL, MARCH | {"unit": other_unit.pk}).status_code == 404
    assert desk.get(URL, MARCH | {"unit": other_unit.pk, "format": "csv"}).status_code == 404


def test_a_coordinator_asking_for_all_units_gets_their_own(desk, unit, other_unit, coordinator):
    _march(other_unit, coordinator, women=5, men=0)
    response = desk.get(URL, MARCH | {"unit": ""})
    assert response.context["stats"].unit == unit
    assert response.context["stats"].cases_opened is None
    choices = [value for value, _label in response.context["form"].fields["unit"].widget.choices]
    assert choices == [unit.pk]


def test_an_analyst_reads_every_unit_and_all_together(
    client, login_verified, make_staff, unit, other_unit, coordinator
):
    _march(unit, coordinator, women=5, men=0)
    _march(other_unit, coordinator, women=0, men=10, first=10)
    login_verified(client, make_staff(Role.ANALYST, unit))
    together = client.get(URL, MARCH)
    assert together.context["stats"].unit is None
    assert together.context["stats"].cases_opened == 15
    mindelo = client.get(URL, MARCH | {"unit": other_unit.pk, "format": "csv"})
    assert mindelo["Content-Disposition"].endswith('-mindelo-2025-03-01-2025-03-31.csv"')
    assert b"cases_by_sex,male,10" in mindelo.content
    everything = client.get(URL, MARCH | {"format": "csv"})
    assert "coop4int-cases-all-2025-03-01" in everything["Content-Disposition"]


def test_the_menu_shows_statistics_to_those_who_may_read_them(
    client, login_verified, make_staff, unit, desk
):
    assert URL in _text(desk.get(reverse("backoffice:home")))
    login_verified(client, make_staff(Role.TRAINER, unit))
    assert URL not in _text(client.get(reverse("backoffice:home")))


def test_query_count_does_not_grow_with_the_data(desk, unit, coordinator):
    _march(unit, coordinator, women=5, men=0)
    desk.get(URL, MARCH)  # the session's first request warms its caches
    with CaptureQueriesContext(connection) as few:
        assert desk.get(URL, MARCH).status_code == 200
    _march(unit, coordinator, women=25, men=20, first=5)
    for case in Case.objects.all()[:10]:
        reply(actor=coordinator, case=case, body="Resposta", channel=Channel.WALK_IN)
    with CaptureQueriesContext(connection) as many:
        response = desk.get(URL, MARCH)
    assert response.context["stats"].cases_opened == 50
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as csv_queries:
        desk.get(URL, MARCH | {"format": "csv"})
    assert len(csv_queries) <= len(many)
    # session, user, device, roles; units of the form, the unit read; cases, topics, contacts,
    # overdue, referrals (consent a subquery of each); the audit entry; the menu's permission
    # look-ups (2).
    assert len(many) == 14

"""Cases: references, due dates in working hours, the status flow, optimistic locking, scope
and the audit of every opening."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain import cases as domain
from coop4int.cases.domain.due import add_working_time
from coop4int.cases.domain.queries import (
    InboxFilter,
    InboxView,
    case_for_tracking,
    get_case_for_user,
    inbox,
)
from coop4int.cases.domain.references import ALPHABET, new_reference, normalise_reference
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case, ResponseTarget
from coop4int.core.models import AuditEntry
from coop4int.directory.domain.calendars import unit_calendar
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

# Monday 2026-11-23, 15:00 in Praia (UTC-1): one working hour left that day (08:00–16:00).
MONDAY_3PM = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


def _open(unit, officer=None, **kwargs):
    values = {"actor": officer, "unit": unit, "channel": Channel.WALK_IN, "subject": "Visto"}
    return domain.open_case(**(values | kwargs))[0]


def test_references_are_short_unambiguous_and_read_back_in_any_form():
    reference = new_reference()
    assert len(reference) == 9
    assert reference[4] == "-"
    assert set(reference.replace("-", "")) <= set(ALPHABET)
    assert not set("01ILOU") & set(ALPHABET)
    assert normalise_reference(reference.lower().replace("-", " ")) == reference
    assert normalise_reference("ABCD-EFG1") == ""  # 1 is never used


@given(st.text(max_size=20))
def test_normalising_any_text_gives_a_reference_or_nothing(text):
    result = normalise_reference(text)
    assert result == "" or (len(result) == 9 and set(result.replace("-", "")) <= set(ALPHABET))


def test_due_date_counts_the_units_opening_hours(unit, officer):
    praia_desk(unit)  # Monday to Friday, 08:00–16:00 in Praia
    ResponseTarget.objects.create(topic=None, working_hours=8)
    case = _open(unit, officer, at=MONDAY_3PM)
    # 1 hour on Monday, 7 on Tuesday: due Tuesday 15:00 in Praia (16:00 UTC).
    assert case.due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


def test_due_date_skips_the_weekend_and_holidays(unit):
    praia_desk(unit)
    calendar = unit_calendar(unit.pk, date(2026, 11, 26), date(2027, 1, 5))
    friday_3pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert add_working_time(calendar, friday_3pm, timedelta(hours=2)) == datetime(
        2026, 11, 30, 10, 0, tzinfo=UTC
    )  # Monday 09:00 in Praia
    # 24 December 15:00, 2 hours: Christmas is a public holiday in Cabo Verde.
    christmas_eve = datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    assert add_working_time(calendar, christmas_eve, timedelta(hours=2)) == datetime(
        2026, 12, 28, 10, 0, tzinfo=UTC
    )


def test_without_opening_hours_the_target_runs_on_the_clock(unit):
    case = _open(unit, at=MONDAY_3PM)
    assert case.due_at == MONDAY_3PM + timedelta(hours=16)


def test_status_flow_with_reopening(unit, officer):
    case = _open(unit, officer)
    assert case.status == Status.NEW
    domain.reply(actor=officer, case=case, body="Bom dia", channel=Channel.WALK_IN)
    assert case.status == Status.OPEN
    assert case.first_reply_at is not None
    domain.change_status(actor=officer, case=case, status=Status.WAITING_PERSON)
    domain.add_interaction(
        actor=None, case=case, channel=Channel.EMAIL, direction=Direction.IN, body="Aqui está",
        is_public=True,
    )  # fmt: skip
    assert case.status == Status.OPEN  # the person answered
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    domain.change_status(actor=officer, case=case, status=Status.CLOSED)
    with pytest.raises(domain.NotAllowed):
        domain.change_status(actor=officer, case=case, status=Status.WAITING_PARTNER)
    domain.change_status(actor=officer, case=case, status=Status.OPEN)
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.resolved_at) == (Status.OPEN, None, None)
    moves = list(
        AuditEntry.objects.filter(action="cases.case.status_changed", object_id=str(case.pk))
        .order_by("pk")
        .values_list("data", flat=True)
    )
    # The automatic moves (first reply, the person's answer) are audited like the officer's.
    assert [(m["from"], m["to"], m["reason"]) for m in moves] == [
        ("new", "open", "first_reply"),
        ("open", "waiting_person", ""),
        ("waiting_person", "open", "person_wrote"),
        ("open", "resolved", ""),
        ("resolved", "closed", ""),
        ("closed", "open", ""),
    ]


def test_second_officer_saving_an_older_version_is_refused_and_nothing_is_lost(
    unit, officer, make_staff
):
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = _open(unit, officer)
    seen_by_both = case.version
    mine = Case.objects.get(pk=case.pk)
    theirs = Case.objects.get(pk=case.pk)
    domain.add_note(actor=officer, case=mine, body="Ligar amanhã", expected_version=seen_by_both)
    with pytest.raises(domain.StaleCase):
        domain.change_status(
            actor=colleague, case=theirs, status=Status.RESOLVED, expected_version=seen_by_both
        )
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert case.interactions.filter(body="Ligar amanhã").exists()


def test_notes_are_never_public(unit, officer):
    case = _open(unit, officer)
    note = domain.add_note(actor=officer, case=case, body="Interno")
    assert not note.is_public
    assert note.direction == Direction.INTERNAL


def test_a_case_of_another_unit_answers_404_and_opening_one_is_audited(
    unit, other_unit, officer, make_staff, national_unit
):
    case = _open(unit, officer)
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    with pytest.raises(Http404):
        get_case_for_user(stranger, case.reference)
    with pytest.raises(Http404):
        get_case_for_user(officer, "ZZZZ-ZZZZ")
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    with pytest.raises(Http404):
        get_case_for_user(editor, case.reference)
    admin = make_staff(Role.ADMINISTRATOR, national_unit)
    assert get_case_for_user(admin, case.reference.lower()) == case
    assert AuditEntry.objects.filter(
        action="cases.case.viewed", actor=admin, object_id=str(case.pk)
    ).exists()


def test_tracking_needs_the_reference_and_the_secret(unit):
    case, secret = domain.open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Pergunta", body="Olá"
    )
    assert case_for_tracking(case.reference, secret) == case
    with pytest.raises(Http404):
        case_for_tracking(case.reference, secret[::-1])
    assert secret not in case.tracking_digest


def test_inbox_pages_by_keyset_with_a_fixed_number_of_queries(unit, officer, make_staff):
    for n in range(60):
        _open(unit, officer, subject=f"Pedido {n}", at=MONDAY_3PM + timedelta(minutes=n))
    assert officer.granted_permissions  # the roles are read once per request
    seen: list[str] = []
    cursor = ""
    counts = []
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = inbox(officer, InboxFilter(view=InboxView.UNIT), after=cursor)
            [(case.person, case.assigned_to, case.unit.name) for case in page.cases]
        counts.append(len(queries))
        seen += [case.subject for case in page.cases]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == [f"Pedido {n}" for n in range(60)]
    assert counts == [1, 1, 1]


def test_inbox_views(unit, officer, make_staff, other_unit):
    mine = _open(unit, officer, subject="Meu")
    domain.assign_case(actor=officer, case=mine, officer=officer)
    _open(unit, officer, subject="Da unidade")
    _open(other_unit, None, subject="De Mindelo")

    def subjects(view, **kwargs):
        return {c.subject for c in inbox(officer, InboxFilter(view=view, **kwargs)).cases}

    assert subjects(InboxView.MINE) == {"Meu"}
    assert subjects(InboxView.UNASSIGNED) == {"Da unidade"}
    assert subjects(InboxView.UNIT) == {"Meu", "Da unidade"}
    assert subjects(InboxView.UNIT, text="UNIDADE") == {"Da unidade"}
    assert subjects(InboxView.UNIT, text=mine.reference) == {"Meu"}


def test_bulk_assignment_only_touches_cases_the_actor_may_work(
    unit, other_unit, officer, make_staff
):
    here = [_open(unit, officer, subject=str(n)) for n in range(3)]
    elsewhere = _open(other_unit, None, subject="Mindelo")
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    assert domain.assign_cases(actor=officer, cases=[*here, elsewhere], officer=colleague) == 3
    elsewhere.refresh_from_db()
    assert elsewhere.assigned_to is None
    with pytest.raises(domain.NotAllowed):
        domain.assign_case(
            actor=officer, case=here[0], officer=make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
        )


def test_resolving_asks_the_satisfaction_question_once_in_the_persons_language(unit, officer):
    case = domain.open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Pergunta", body="Olá",
        language="fr", reply_email="ana@example.org",
    )[0]  # fmt: skip
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    question = case.interactions.get(direction=Direction.OUT)
    assert question.body == domain.satisfaction_question("fr")
    assert question.is_public
    assert "1" in question.body
    assert "5" in question.body
    domain.change_status(actor=officer, case=case, status=Status.OPEN)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    assert case.interactions.filter(direction=Direction.OUT).count() == 1  # asked once


def test_walk_in_and_phone_cases_are_asked_at_the_desk_not_by_message(unit, officer):
    case = _open(unit, officer)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    assert not case.interactions.filter(direction=Direction.OUT).exists()
    assert domain.record_satisfaction(actor=officer, case=case, score=4)
    assert not domain.record_satisfaction(actor=officer, case=case, score=1)  # the first stays
    case.refresh_from_db()
    assert case.satisfaction == 4


@pytest.mark.parametrize(
    ("text", "score"), [("5", 5), (" 3. ", 3), ("4\n\nOn Monday someone wrote:", 4),
                        ("10", None), ("obrigada 5", None), ("", None)],
)  # fmt: skip
def test_a_satisfaction_answer_is_a_bare_number_from_1_to_5(text, score):
    assert domain.satisfaction_score(text) == score


def test_due_dates_follow_a_change_of_the_units_hours(unit, officer):
    from coop4int.directory.domain.index import refresh_entries
    from coop4int.directory.models import Schedule

    sal = praia_desk(unit)  # 08:00–16:00
    ResponseTarget.objects.create(topic=None, working_hours=2)
    assert _open(unit, officer, at=MONDAY_3PM).due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    Schedule.objects.filter(location=sal.location).update(closes_at=time(18))
    refresh_entries(service_ids=[sal.service_id])  # what every edit of the directory does
    assert _open(unit, officer, at=MONDAY_3PM).due_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def test_files_of_an_e_mail_reply_go_with_it(unit, officer, mailoutbox, settings, tmp_path,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = domain.open_case(actor=None, unit=unit, channel=Channel.EMAIL, subject="Visto",
                            body="Olá", reply_email="ana@example.org")[0]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        domain.reply(actor=officer, case=case, body="Segue a lista", channel=Channel.EMAIL,
                     files=[SimpleUploadedFile("lista.png", b"\x89PNG\r\n\x1a\n....")])  # fmt: skip
    (mail,) = mailoutbox
    assert mail.attachments[0][0] == "lista.png"
    assert mail.attachments[0][2] == "image/png"


@pytest.mark.parametrize(
    ("view", "index"),
    [(InboxView.UNIT, "cases_unit_active"), (InboxView.UNASSIGNED, "cases_unit_unassigned"),
     # On a table this small PostgreSQL may prefer the other active index, in due order too.
     (InboxView.OVERDUE, ("cases_unit_unanswered", "cases_all_active")),
     (InboxView.WAITING, "cases_unit_waiting"), (InboxView.CLOSED, "cases_unit_done"),
     (InboxView.MINE, "cases_mine_active")],
)  # fmt: skip
def test_each_inbox_view_reads_its_partial_index(unit, officer, view, index):
    from django.db import transaction

    _open(unit, officer)
    with CaptureQueriesContext(connection) as queries:
        inbox(officer, InboxFilter(view=view))
    sql = queries.captured_queries[-1]["sql"]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        else:  # tiny tables: make the planner show what it would do at scale
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert any(name in plan for name in ((index,) if isinstance(index, str) else index))

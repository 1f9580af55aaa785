"""The retention schedule: records past their period are anonymised or deleted as declared,
not a day before; a person under a legal hold is skipped and reported; running it again
changes nothing; each run leaves one audit entry with what it did."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import add_interaction, open_case, transition_case
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import CallBack, Case, CaseAttachment, Interaction
from coop4int.content.models import Feedback
from coop4int.core.models import AuditEntry
from coop4int.people.domain.legal_hold import set_legal_hold
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.domain.retention import apply_retention, retention_schedule, years_before
from coop4int.people.tasks import apply_retention_schedule

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
OPENED = datetime(2019, 2, 4, 9, tzinfo=CV)
CLOSED = datetime(2019, 3, 1, 12, tzinfo=CV)
FIVE_YEARS_ON = datetime(2024, 3, 1, 12, tzinfo=CV)


def _closed_case(officer, unit, name: str, *, closed: bool = True) -> Case:
    person = register_person(
        actor=officer, unit=unit, details=PersonDetails(given_names=name), phones=["+2389911111"]
    )
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, person=person, at=OPENED,
        subject=f"Pedido de {name}", body=f"{name} pediu ajuda",
    )  # fmt: skip
    note = add_interaction(
        actor=officer, case=case, channel=Channel.WALK_IN, direction=Direction.INTERNAL,
        body=f"Nota sobre {name}", is_public=False, at=OPENED,
    )  # fmt: skip
    CaseAttachment.objects.create(
        interaction=note, file=ContentFile(b"scan", name="doc.pdf"), filename="doc.pdf",
        content_type="application/pdf", size=4,
    )  # fmt: skip
    schedule_callback(actor=officer, case=case, phone="+2389911111", due_at=OPENED)
    if closed:
        transition_case(actor=officer, case=case, to=Status.CLOSED, at=CLOSED)
    case.refresh_from_db()
    return case


def test_years_before_keeps_the_day_and_moves_29_february():
    assert years_before(FIVE_YEARS_ON, 5) == CLOSED.replace(year=2019, hour=12)
    assert years_before(datetime(2024, 2, 29, tzinfo=CV), 1) == datetime(2023, 2, 28, tzinfo=CV)


def test_the_schedule_reads_the_declarations_and_the_settings(settings):
    settings.RETENTION_CLOSED_CASES_YEARS = 7
    years = {kind.declaration.model: kind.years for kind in retention_schedule()}
    assert years["cases.Case"] == years["cases.Interaction"] == 7
    assert years["content.Feedback"] == settings.RETENTION_FEEDBACK_YEARS
    assert "people.Consent" not in years  # kept as long as the record


def test_closed_cases_are_anonymised_once_their_period_has_passed(
    officer, unit, django_capture_on_commit_callbacks, settings
):
    case = _closed_case(officer, unit, "Idrissa")
    open_one = _closed_case(officer, unit, "Marta", closed=False)
    stored = CaseAttachment.objects.filter(interaction__case=case).get().file.name

    early = apply_retention(now=FIVE_YEARS_ON - timedelta(days=1))
    assert early.count == 0
    case.refresh_from_db()
    assert case.subject == "Pedido de Idrissa"
    assert case.anonymised_at is None

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(now=FIVE_YEARS_ON + timedelta(days=1))

    done = {line.model: line.count for line in report.lines}
    assert done["cases.Case"] == 1
    assert done["cases.Interaction"] == 2
    assert done["cases.CaseAttachment"] == done["cases.CallBack"] == 1
    case.refresh_from_db()
    assert case.subject == ""
    assert case.anonymised_at == FIVE_YEARS_ON + timedelta(days=1)
    assert (case.status, case.opened_at, case.closed_at) == (Status.CLOSED, OPENED, CLOSED)
    assert set(Interaction.objects.filter(case=case).values_list("body", flat=True)) == {""}
    assert not CallBack.objects.filter(case=case).exists()
    assert not (settings.MEDIA_ROOT / stored).exists()
    # A case still open is not due, however old.
    open_one.refresh_from_db()
    assert open_one.subject == "Pedido de Marta"
    assert Interaction.objects.filter(case=open_one, body="Marta pediu ajuda").exists()
    # The person stays: only the case's records had a period.
    assert case.person.given_names == "Idrissa"

    again = apply_retention(now=FIVE_YEARS_ON + timedelta(days=2))
    assert again.count == 0
    runs = AuditEntry.objects.filter(action="people.retention.applied").order_by("pk")
    assert runs.count() == 3
    kinds = {kind["model"]: kind for kind in runs[1].data["kinds"]}
    assert kinds["cases.Case"] == {
        "model": "cases.Case", "action": "anonymise", "years": 5, "count": 1, "held": 0,
    }  # fmt: skip
    assert runs[1].actor is None


def test_the_period_follows_the_setting(officer, unit, settings):
    case = _closed_case(officer, unit, "Idrissa")
    settings.RETENTION_CLOSED_CASES_YEARS = 10
    assert apply_retention(now=FIVE_YEARS_ON + timedelta(days=1)).count == 0
    settings.RETENTION_CLOSED_CASES_YEARS = 1
    apply_retention(now=CLOSED + timedelta(days=400))
    case.refresh_from_db()
    assert case.anonymised_at is not None


def test_a_person_under_a_legal_hold_is_skipped_and_reported(officer, coordinator, unit):
    case = _closed_case(officer, unit, "Idrissa")
    set_legal_hold(person=case.person, actor=coordinator, reason="Processo", now=CLOSED)

    report = apply_retention(now=FIVE_YEARS_ON + timedelta(days=1))

    case.refresh_from_db()
    assert case.subject == "Pedido de Idrissa"
    assert report.count == 0
    assert report.held_people == (str(case.person.pk),)
    held = {line.model: line.held for line in report.lines}
    assert held["cases.Case"] == 1
    assert held["cases.Interaction"] == 2
    entry = AuditEntry.objects.get(action="people.retention.applied")
    assert entry.data["held_people"] == 1
    assert entry.data["held_ids"] == [str(case.person.pk)]


def test_old_feedback_loses_its_address_and_words(officer, unit):
    old = Feedback.objects.create(route="home", language="pt", message="Falta o horário",
                                  contact_email="ana@example.org")  # fmt: skip
    recent = Feedback.objects.create(route="home", language="pt", message="Obrigada",
                                     contact_email="rui@example.org")  # fmt: skip
    Feedback.objects.filter(pk=old.pk).update(received_at=OPENED)
    Feedback.objects.filter(pk=recent.pk).update(received_at=FIVE_YEARS_ON)

    report = apply_retention(now=FIVE_YEARS_ON + timedelta(days=1))

    assert {line.model: line.count for line in report.lines}["content.Feedback"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_email, old.message) == ("", "")
    assert recent.contact_email == "rui@example.org"


def test_the_periodic_task_runs_the_schedule_and_returns_its_report(officer, unit):
    result = apply_retention_schedule.enqueue()
    assert result.return_value["kinds"]
    assert AuditEntry.objects.filter(action="people.retention.applied").count() == 1

"""Erasure: the preview says what the erasure does; afterwards nothing names the person, the
statistics count the same, the record stays as a tombstone; a legal hold refuses it; erasing
twice changes nothing; a restored record is erased again from the journal."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import models

from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import add_interaction, open_case, transition_case
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.domain.statistics import unit_statistics
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import Case, CaseAttachment, Interaction
from coop4int.content.models import Feedback
from coop4int.core.erasure_journal import read_journal, record_erasure
from coop4int.core.models import AuditEntry
from coop4int.core.personal_data import Erasure, declarations
from coop4int.directory.models import Service
from coop4int.people.domain.erasure import ErasureRefused, erase_person, preview_erasure
from coop4int.people.domain.legal_hold import LegalHoldRefused, lift_legal_hold, set_legal_hold
from coop4int.people.domain.merge import MergeRefused, merge_people
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.domain.rectification import rectify_person
from coop4int.people.enums import ConsentMethod, ErasureGround, Purpose, Sex
from coop4int.people.models import Consent, ContactPoint, Person, Rectification

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
OPENED = datetime(2025, 3, 3, 10, tzinfo=CV)
CLOSED = datetime(2025, 3, 20, 10, tzinfo=CV)
ERASED = datetime(2025, 6, 2, 12, tzinfo=CV)

NAME = ("Zenaida", "Quaresma")
EMAIL = "zenaida.quaresma@example.org"
PHONE = "+2389876543"
# What would identify her, in every form it was written; none may be left anywhere.
TRACES = ("Zenaida", "Quaresma", "zenaida.quaresma", "9876543", "CV778899", "Achada Grande")


def _person(actor, unit, **details):
    someone = register_person(
        actor=actor, unit=unit, details=PersonDetails(**details), phones=[PHONE], emails=[EMAIL]
    )
    for purpose in (Purpose.SERVICE, Purpose.STATISTICS, Purpose.REFERRAL, Purpose.CONTACT):
        give_consent(actor=actor, person=someone, purpose=purpose, method=ConsentMethod.VERBAL,
                     at=OPENED)  # fmt: skip
    return someone


@pytest.fixture
def zenaida(officer, unit, partner_unit):
    """A person with everything a record can hold: contacts, consents, a closed case with
    a note, a file, a referral and a call-back, an unverified request from her e-mail,
    feedback from it, a correction and a duplicate record merged into hers."""
    person = _person(
        officer, unit, given_names=NAME[0], family_names=NAME[1], birth_date=date(1991, 4, 2),
        sex=Sex.FEMALE, gender="mulher", nationalities=("SN",), municipality="Achada Grande",
        residence_status="pending", document_number="CV778899", island="santiago",
    )  # fmt: skip
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, person=person, at=OPENED,
        subject="Zenaida Quaresma: residência", body="A Zenaida ligou do 9876543.",
    )  # fmt: skip
    note = add_interaction(
        actor=officer, case=case, channel=Channel.WALK_IN, direction=Direction.INTERNAL,
        body="Zenaida trouxe o passaporte CV778899.", is_public=False, at=OPENED,
    )  # fmt: skip
    CaseAttachment.objects.create(
        interaction=note, file=ContentFile(b"%PDF scan", name="passaporte.pdf"),
        filename="passaporte-zenaida.pdf", content_type="application/pdf", size=9,
    )  # fmt: skip
    service = Service.objects.create(name="Consulta", unit=partner_unit)
    refer_case(actor=officer, case=case, service=service, summary="Zenaida precisa de ajuda",
               share_phone=True)  # fmt: skip
    schedule_callback(actor=officer, case=case, phone=PHONE, due_at=CLOSED,
                      note="Ligar à Zenaida")  # fmt: skip
    transition_case(actor=officer, case=case, to=Status.CLOSED, at=CLOSED)
    open_case(
        actor=None, unit=unit, channel=Channel.WEB, subject="Pedido de Zenaida", at=OPENED,
        body="Sou a Zenaida Quaresma", reply_email=EMAIL, identity_verified=False,
        claimed_person=person,
    )  # fmt: skip
    Feedback.objects.create(route="home", language="pt", message="Zenaida: falta o horário",
                            contact_email=EMAIL)  # fmt: skip
    rectify_person(person=person, actor=officer, changes={"family_names": "Quaresma Lopes"},
                   reason="Pedido da pessoa", now=OPENED)  # fmt: skip
    duplicate = register_person(
        actor=officer, unit=unit, details=PersonDetails(given_names="Zenaida", family_names="Q."),
        phones=[PHONE],
    )  # fmt: skip
    merge_people(actor=officer, keep=person, merge=duplicate)
    person.refresh_from_db()
    return person


def _text_values() -> list[tuple[str, str]]:
    """Every value of every text, e-mail or JSON column of every declared model, with where
    it is."""
    found = []
    for declaration in declarations():
        model = declaration.model_class
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(
                field, (models.CharField | models.TextField | models.JSONField, models.FileField)
            )
        ]
        for row in model._default_manager.values_list("pk", *fields):
            for name, value in zip(fields, row[1:], strict=True):
                found.append(
                    (f"{declaration.model}#{row[0]}.{name}", json.dumps(value, default=str))
                )
    return found


def _cells(breakdown) -> dict[str, int | None]:
    return {cell.key: cell.count for cell in breakdown.cells}


def _traces(values) -> list[str]:
    return [
        f"{where}: {trace}"
        for where, value in values
        for trace in TRACES
        if trace.lower() in value.lower()
    ]


def test_the_preview_says_what_the_erasure_does(zenaida, coordinator):
    preview = preview_erasure(person=zenaida)
    planned = {(kind.model, kind.action): kind.count for kind in preview.kinds}
    assert planned[("people.Person", Erasure.ANONYMISE)] == 2  # hers and the merged one
    assert planned[("people.ContactPoint", Erasure.DELETE)] == 3  # phone, e-mail, merged phone
    assert planned[("cases.Case", Erasure.ANONYMISE)] == 2  # hers and the unverified one
    assert planned[("cases.CaseAttachment", Erasure.DELETE)] == 1
    assert planned[("cases.Referral", Erasure.ANONYMISE)] == 1
    assert planned[("cases.CallBack", Erasure.DELETE)] == 1
    assert planned[("content.Feedback", Erasure.ANONYMISE)] == 1
    assert planned[("people.Rectification", Erasure.DELETE)] == 1
    assert planned[("people.Consent", Erasure.KEEP)] == 4
    assert all(str(kind.why) for kind in preview.kinds)
    assert preview.refused_because == ""

    report = erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED,
                          now=ERASED)  # fmt: skip
    done = {(kind.model, kind.action): kind.count for kind in report.kinds}
    assert done == planned
    assert (report.deleted, report.anonymised, report.kept) == (
        preview.deleted, preview.anonymised, preview.kept
    )  # fmt: skip


def test_after_erasure_nothing_names_the_person(
    zenaida, coordinator, settings, django_capture_on_commit_callbacks
):
    stored = CaseAttachment.objects.get().file.name
    assert (settings.MEDIA_ROOT / stored).exists()
    assert _traces(_text_values())  # the test data does name her before
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(
            person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED
        )

    assert _traces(_text_values()) == []
    audit = [(f"audit#{pk}", json.dumps([repr_, data])) for pk, repr_, data in
             AuditEntry.objects.values_list("pk", "object_repr", "data")]  # fmt: skip
    assert _traces(audit) == []
    assert not (settings.MEDIA_ROOT / stored).exists()
    assert not ContactPoint.objects.exists()
    assert not Rectification.objects.exists()


def test_the_record_stays_as_a_tombstone_with_its_cases_counted(
    zenaida, coordinator, unit, settings
):
    settings.STATISTICS_SMALL_CELL = 2  # the finest rounding: a case less would show
    period = {"unit_id": unit.pk, "start": date(2025, 3, 1), "end": date(2025, 3, 31)}
    before = unit_statistics(coordinator, **period)
    counted = Case.objects.filter(person__consents__purpose=Purpose.STATISTICS,
                                  person__consents__withdrawn_at__isnull=True)  # fmt: skip
    assert counted.count() == 1
    cases = sorted(zenaida.cases.values_list("pk", "status", "channel", "opened_at", "closed_at"))

    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)

    tombstone = Person.objects.get(pk=zenaida.pk)
    assert tombstone.erased_at == ERASED
    assert (tombstone.given_names, tombstone.family_names, tombstone.birth_date) == ("", "", None)
    assert (tombstone.document_number, tombstone.municipality, tombstone.gender) == ("", "", "")
    assert tombstone.display_name != "Zenaida"
    # The coarse facts statistics break cases down by stay.
    assert (tombstone.sex, tombstone.nationalities) == (Sex.FEMALE, ["SN"])
    assert (
        sorted(tombstone.cases.values_list("pk", "status", "channel", "opened_at", "closed_at"))
        == cases
    )
    assert all(case.anonymised_at == ERASED for case in Case.objects.all())
    assert counted.count() == 1
    assert Interaction.objects.filter(case__person=tombstone).count() >= 3
    assert Consent.objects.filter(person=tombstone).count() == 4
    after = unit_statistics(coordinator, **period)
    for figure in ("contacts", "cases_opened", "cases_closed"):
        assert getattr(after, figure) == getattr(before, figure)
    for breakdown in ("opened_by_sex", "opened_by_nationality", "contacts_by_channel"):
        assert _cells(getattr(after, breakdown)) == _cells(getattr(before, breakdown))
    entry = AuditEntry.objects.get(action="people.person.erased")
    assert entry.object_id == str(zenaida.pk)
    # The log keeps the ground's code; no words typed by staff.
    assert entry.data["ground"] == "person_asked"
    assert entry.data["note_length"] == 0
    assert "reason" not in entry.data
    assert tombstone.erasure_ground == ErasureGround.PERSON_ASKED
    assert entry.data["counts"]["cases.Case"] == {"anonymise": 2}
    merged = Person.objects.filter(merged_into=zenaida).values_list("pk", flat=True)
    assert sorted(erasure.person_id for erasure in read_journal()) == sorted([zenaida.pk, *merged])


def test_the_tracking_link_of_an_erased_case_stops_working(zenaida, coordinator):
    digests = set(Case.objects.values_list("tracking_digest", flat=True))
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    after = set(Case.objects.values_list("tracking_digest", flat=True))
    assert not digests & after
    assert all(digest.startswith("anonymised-") for digest in after)


def test_a_legal_hold_refuses_the_erasure_and_changes_nothing(zenaida, coordinator):
    set_legal_hold(person=zenaida, actor=coordinator, reason="Processo 12/2025", now=OPENED)
    entries = AuditEntry.objects.count()
    with pytest.raises(ErasureRefused, match="Processo 12/2025"):
        erase_person(
            person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED
        )
    zenaida.refresh_from_db()
    assert zenaida.given_names == "Zenaida"
    assert zenaida.erased_at is None
    assert ContactPoint.objects.filter(person=zenaida).count() == 2
    assert AuditEntry.objects.count() == entries
    assert read_journal() == []
    assert preview_erasure(person=zenaida).refused_because

    with pytest.raises(LegalHoldRefused):
        set_legal_hold(person=zenaida, actor=coordinator, reason="Outra", now=OPENED)
    lift_legal_hold(person=zenaida, actor=coordinator)
    with pytest.raises(LegalHoldRefused):
        lift_legal_hold(person=zenaida, actor=coordinator)
    # The reason stayed on the record while held; the log keeps its length only.
    assert list(
        AuditEntry.objects.filter(action__startswith="people.legal_hold").values_list(
            "action", "data__reason_length", "data__reason"
        ).order_by("pk")
    ) == [("people.legal_hold.set", 16, None),
          ("people.legal_hold.lifted", 16, None)]  # fmt: skip
    zenaida.refresh_from_db()
    assert zenaida.legal_hold_reason == ""
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    zenaida.refresh_from_db()
    assert zenaida.is_erased
    with pytest.raises(LegalHoldRefused):
        set_legal_hold(person=zenaida, actor=coordinator, reason="Tarde demais")


@pytest.mark.parametrize(
    ("ground", "note"),
    [
        ("", ""),  # no ground
        ("because", ""),  # not a ground
        (ErasureGround.PERSON_ASKED, "x" * 501),  # a note longer than the record keeps
    ],
)
def test_an_erasure_needs_a_ground_and_changes_nothing_without_one(
    zenaida, coordinator, ground, note
):
    entries = AuditEntry.objects.count()
    with pytest.raises(ErasureRefused):
        erase_person(person=zenaida, actor=coordinator, ground=ground, note=note, now=ERASED)
    zenaida.refresh_from_db()
    assert not zenaida.is_erased
    assert zenaida.erasure_ground == ""
    assert AuditEntry.objects.count() == entries
    assert read_journal() == []


def test_the_ground_is_logged_as_a_code_and_the_note_stays_on_the_tombstone(zenaida, coordinator):
    note = "Pedido escrito nº 41/2025, entregue pela Zenaida ao balcão"
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.ORDERED,
                 note=f"  {note} ", now=ERASED)  # fmt: skip
    tombstone = Person.objects.get(pk=zenaida.pk)
    assert (tombstone.erasure_ground, tombstone.erasure_note) == ("ordered", note)
    merged = Person.objects.get(merged_into=zenaida)
    assert (merged.erasure_ground, merged.erasure_note) == ("ordered", note)
    entry = AuditEntry.objects.get(action="people.person.erased")
    assert entry.data["ground"] == "ordered"
    assert entry.data["note_length"] == len(note)
    assert "41/2025" not in json.dumps(entry.data)
    assert "Zenaida" not in json.dumps(entry.data)


def test_erasing_twice_changes_nothing_the_second_time(zenaida, coordinator):
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    snapshot = _text_values()
    entries = AuditEntry.objects.count()

    again = erase_person(
        person=zenaida,
        actor=coordinator,
        ground=ErasureGround.PERSON_ASKED,
        now=ERASED + timedelta(days=1),
    )

    assert not again.changed
    assert again.erased_at == ERASED
    assert _text_values() == snapshot
    assert AuditEntry.objects.count() == entries
    assert len(read_journal()) == 2  # hers and the merged record's, once
    preview = preview_erasure(person=zenaida)
    assert preview.deleted == preview.anonymised == 0


def test_replay_erases_again_a_record_a_restore_brought_back(zenaida, coordinator, unit):
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    # A backup from before the erasure is restored: her record is back as it was.
    Person.objects.filter(pk=zenaida.pk).update(
        given_names="Zenaida", family_names="Quaresma", erased_at=None
    )
    ContactPoint.objects.create(person=zenaida, kind="email", value=EMAIL)
    # A record erased, then removed altogether, is no longer there to erase.
    record_erasure(person_id=uuid4(), at=ERASED)

    out = StringIO()
    call_command("replay_erasures", since=ERASED - timedelta(days=1), stdout=out)

    zenaida.refresh_from_db()
    assert zenaida.is_erased
    assert zenaida.given_names == ""
    assert zenaida.erasure_ground == ErasureGround.REPLAYED
    assert AuditEntry.objects.filter(
        action="people.person.erased", data__ground="replayed"
    ).exists()
    assert not ContactPoint.objects.exists()
    assert "1 erased again, 1 already erased, 1 not in the database" in out.getvalue()
    again = StringIO()
    call_command("replay_erasures", "--since", ERASED.isoformat(), stdout=again)
    assert again.getvalue().startswith("0 erased again")


def test_replay_stops_at_a_legal_hold_in_the_restored_data(zenaida, coordinator):
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    Person.objects.filter(pk=zenaida.pk).update(
        erased_at=None, legal_hold_reason="Antigo", legal_hold_set_at=OPENED
    )
    with pytest.raises(CommandError, match=str(zenaida.pk)):
        call_command("replay_erasures", since=ERASED, stdout=StringIO())
    with pytest.raises(CommandError, match="ISO"):
        call_command("replay_erasures", since="last tuesday", stdout=StringIO())


def test_an_erased_record_is_not_merged(zenaida, coordinator, officer, unit):
    erase_person(person=zenaida, actor=coordinator, ground=ErasureGround.PERSON_ASKED, now=ERASED)
    someone = register_person(actor=officer, unit=unit, details=PersonDetails(given_names="Rui"))
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=zenaida, merge=someone)
    with pytest.raises(MergeRefused):
        merge_people(actor=officer, keep=someone, merge=zenaida)

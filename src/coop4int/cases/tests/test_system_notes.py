"""Notes the platform writes on a timeline are read in the language of whoever reads them, not
in the language of whoever was working when they were written."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain import referrals
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.enums import Channel, Direction
from coop4int.cases.models import Case, Interaction
from coop4int.cases.system_notes import FILED_AS_NEW_CASE, REFERRED, SystemNote
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _read(interaction: Interaction, language: str) -> str:
    with translation.override(language):
        return interaction.text


def _referred(language: str, service: str) -> str:
    with translation.override(language):
        return translation.gettext("Referred to %(service)s.") % {"service": service}


@pytest.mark.django_db
def test_a_referral_note_reads_in_the_language_of_whoever_reads_it(make_staff, unit, partner_unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    person = register_person(actor=officer, unit=unit, details=PersonDetails(given_names="A"))
    give_consent(actor=officer, person=person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="S",
                     person=person)[0]  # fmt: skip
    health = Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    with translation.override("fr"):  # the referring officer works in French
        referrals.refer_case(actor=officer, case=case, service=health, summary="x",
                             share_phone=False)  # fmt: skip

    note = case.interactions.get(direction=Direction.INTERNAL)
    assert (note.note_code, note.note_values) == (REFERRED, {"service": "Consulta do viajante"})
    for language in ("pt", "kea", "en", "fr"):
        assert _read(note, language) == _referred(language, "Consulta do viajante")
    # What reads the text alone (search, exports) has it in the default language.
    assert note.body == _referred("pt", "Consulta do viajante")
    assert _referred("pt", "X") != _referred("fr", "X")


@pytest.mark.django_db
def test_a_message_filed_as_a_new_case_is_explained_in_each_readers_language(unit):
    earlier = open_case(actor=None, unit=unit, channel=Channel.EMAIL, subject="S",
                        reply_email="someone@example.org", language="fr")[0]  # fmt: skip
    with translation.override("fr"):
        intake = receive_contact(
            actor=None, case=earlier, unit=unit,
            contact=Contact(channel=Channel.EMAIL, email="other@example.org", body="Re", at=AT),
        )  # fmt: skip
    note = intake.case.interactions.get(direction=Direction.INTERNAL)
    assert note.note_code == FILED_AS_NEW_CASE
    texts = {language: _read(note, language) for language in ("pt", "en")}
    assert all(earlier.reference in text for text in texts.values())
    assert texts["pt"] != texts["en"]
    with translation.override("en"):
        assert texts["en"] == SystemNote(FILED_AS_NEW_CASE, {"reference": earlier.reference}).text()


def test_a_note_of_a_code_this_version_does_not_know_shows_its_stored_text():
    note = Interaction(body="Encaminhado para X.", note_code="retired_code", note_values={})
    assert note.text == "Encaminhado para X."


@pytest.mark.django_db(transaction=True)
def test_notes_written_before_are_given_their_code(unit, make_staff):
    """Migration 0006 recognises the notes stored as text, in any interface language."""
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="S")[0]
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0005_unverified_identity")])
    old = executor.loader.project_state([("cases", "0005_unverified_identity")]).apps
    notes = old.get_model("cases", "Interaction").objects
    for body in (_referred("fr", "Consulta"), _referred("kea", "Consulta"), "Ligou ontem."):
        notes.create(case_id=case.pk, channel="note", direction="internal", body=body,
                     occurred_at=AT)  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = Case.objects.get(pk=case.pk).interactions.filter(channel="note").order_by("pk")
    assert [(n.note_code, n.note_values) for n in stored] == [
        (REFERRED, {"service": "Consulta"}),
        (REFERRED, {"service": "Consulta"}),
        ("", {}),
    ]

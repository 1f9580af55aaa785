"""The "Data protection" section of a person's record, the erasure preview page and the
retention schedule page: who sees what, what each form does, and bad input changing
nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.domain.retention import apply_retention
from coop4int.people.enums import ErasureGround, Sex
from coop4int.people.models import Person, Rectification

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")


@pytest.fixture(autouse=True)
def _journal(settings, tmp_path):
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="tecnico")


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, username="coordenadora")


@pytest.fixture
def aminata(officer, unit):
    person = register_person(
        actor=officer, unit=unit, phones=["+2389912345"],
        details=PersonDetails(given_names="Aminata", family_names="Diallo",
                              document_number="P123", sex=Sex.FEMALE),
    )  # fmt: skip
    open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=person)
    return person


def _page(person):
    return reverse("backoffice:person_detail", args=[person.pk])


def _erasure(person):
    return reverse("backoffice:person_erasure", args=[person.pk])


def _pt(message):
    with translation.override("pt"):
        return translation.gettext(message)


def _as(client, login_verified, user):
    login_verified(client, user)
    return client


def test_an_officer_corrects_the_record_and_sees_its_history(
    client, login_verified, officer, aminata
):
    desk = _as(client, login_verified, officer)
    body = desk.get(_page(aminata)).content.decode()
    assert 'id="rights"' in body
    assert 'class="rights-links"' in body
    assert 'value="rectify"' in body
    # Erasure and legal holds are the coordinator's.
    assert _erasure(aminata) not in body
    assert 'value="set_legal_hold"' not in body

    response = desk.post(_page(aminata), {
        "action": "rectify", "rectify-field": "family_names", "rectify-value": "Diallo Sow",
        "rectify-reason": "Pedido da pessoa",
    })  # fmt: skip

    assert response.status_code == 302
    assert response["Location"].endswith("#rights")
    aminata.refresh_from_db()
    assert aminata.family_names == "Diallo Sow"
    page = desk.get(_page(aminata)).content.decode()
    assert "Diallo Sow" in page
    assert "Pedido da pessoa" in page
    assert "<td>Diallo</td>" in page  # the earlier value, in the history


def test_a_choice_is_corrected_by_its_name_in_the_interface_language(
    client, login_verified, officer, aminata
):
    desk = _as(client, login_verified, officer)
    with translation.override("pt"):
        male = str(Sex.MALE.label)
    desk.post(_page(aminata), {
        "action": "rectify", "rectify-field": "sex", "rectify-value": male.upper(),
        "rectify-reason": "Pedido",
    })  # fmt: skip
    aminata.refresh_from_db()
    assert aminata.sex == Sex.MALE


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("birth_date", "31 de maio", "Pedido"),  # not a date
        ("sex", "talvez", "Pedido"),  # not a choice
        ("family_names", "Sow", ""),  # no reason
        ("unit", "x", "Pedido"),  # not a field one corrects
    ],
)
def test_a_bad_correction_is_shown_again_and_changes_nothing(
    client, login_verified, officer, aminata, field, value, reason
):
    desk = _as(client, login_verified, officer)
    response = desk.post(_page(aminata), {
        "action": "rectify", "rectify-field": field, "rectify-value": value,
        "rectify-reason": reason,
    })  # fmt: skip
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not Rectification.objects.exists()
    assert Person.objects.get(pk=aminata.pk).family_names == "Diallo"


def test_a_sensitive_field_is_corrected_by_who_reads_it(
    client, login_verified, coordinator, aminata
):
    desk = _as(client, login_verified, coordinator)
    assert 'value="document_number"' in desk.get(_page(aminata)).content.decode()
    desk.post(_page(aminata), {
        "action": "rectify", "rectify-field": "document_number", "rectify-value": "P999",
        "rectify-reason": "Documento novo",
    })  # fmt: skip
    body = desk.get(_page(aminata)).content.decode()
    assert "<td>P123</td>" in body
    assert "P999" in body


def test_a_coordinator_holds_previews_and_erases_the_record(
    client, login_verified, coordinator, aminata
):
    desk = _as(client, login_verified, coordinator)
    assert _erasure(aminata) in desk.get(_page(aminata)).content.decode()

    desk.post(_page(aminata), {"action": "set_legal_hold", "hold-reason": "Processo 7/2025"})
    aminata.refresh_from_db()
    assert aminata.legal_hold_reason == "Processo 7/2025"
    preview = desk.get(_erasure(aminata)).content.decode()
    assert 'id="erasure-refused"' in preview
    assert 'value="erase"' not in preview
    refused = desk.post(_erasure(aminata), {"action": "erase", "erase-ground": "person_asked",
                                            "erase-confirm": "on"})  # fmt: skip
    assert refused.status_code == 302
    assert not Person.objects.get(pk=aminata.pk).is_erased

    desk.post(_page(aminata), {"action": "lift_legal_hold"})
    preview = desk.get(_erasure(aminata)).content.decode()
    assert 'data-model="cases.Case"' in preview
    assert 'data-model="people.ContactPoint"' in preview
    assert 'value="erase"' in preview
    # The grounds an officer chooses from; the journal's own is not among them.
    assert 'name="erase-ground" value="person_asked"' in preview
    assert 'value="replayed"' not in preview

    unconfirmed = desk.post(_erasure(aminata), {"action": "erase", "erase-ground": "ordered"})
    assert unconfirmed.status_code == 200
    assert not Person.objects.get(pk=aminata.pk).is_erased

    erased = desk.post(_erasure(aminata), {"action": "erase", "erase-ground": "person_asked",
                                           "erase-note": "Pedido escrito 12/2025",
                                           "erase-confirm": "on"})  # fmt: skip
    assert erased.status_code == 302
    assert erased["Location"] == _page(aminata)
    tombstone = desk.get(_page(aminata)).content.decode()
    assert 'id="tombstone"' in tombstone
    assert "Aminata" not in tombstone
    # Why it was erased is on the emptied record, the note with it.
    with translation.override("pt"):
        assert str(ErasureGround.PERSON_ASKED.label) in tombstone
    assert '<dd id="erasure-note">Pedido escrito 12/2025</dd>' in tombstone
    assert 'value="rectify"' not in tombstone
    assert 'value="consent"' not in tombstone
    assert 'id="already-erased"' in desk.get(_erasure(aminata)).content.decode()
    assert list(
        AuditEntry.objects.filter(
            action__in=["people.legal_hold.set", "people.legal_hold.lifted", "people.person.erased"]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["people.legal_hold.set", "people.legal_hold.lifted", "people.person.erased"]
    # The log keeps codes and lengths; the words stayed on the record.
    assert AuditEntry.objects.get(action="people.legal_hold.set").data == {"reason_length": 15}
    erasure = AuditEntry.objects.get(action="people.person.erased").data
    assert (erasure["ground"], erasure["note_length"]) == ("person_asked", 22)


@pytest.mark.parametrize(
    "posted",
    [
        {"erase-confirm": "on"},  # no ground
        {"erase-ground": "replayed", "erase-confirm": "on"},  # not one to choose
        {"erase-ground": "because", "erase-confirm": "on"},
        {"erase-ground": "person_asked", "erase-note": "x" * 501, "erase-confirm": "on"},
    ],
)
def test_an_erasure_without_a_ground_is_shown_again_and_changes_nothing(
    client, login_verified, coordinator, aminata, posted
):
    desk = _as(client, login_verified, coordinator)
    response = desk.post(_erasure(aminata), {"action": "erase", **posted})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert not Person.objects.get(pk=aminata.pk).is_erased
    assert not AuditEntry.objects.filter(action="people.person.erased").exists()


def test_an_officer_posting_a_legal_hold_is_refused(client, login_verified, officer, aminata):
    desk = _as(client, login_verified, officer)
    response = desk.post(_page(aminata), {"action": "set_legal_hold", "hold-reason": "X"},
                         follow=True)  # fmt: skip
    assert not Person.objects.get(pk=aminata.pk).has_legal_hold
    assert (
        _pt(
            "Only an administrator or a coordinator of the unit that registered the person may set "
            "or lift a legal hold. Nothing was changed."
        )
        in response.content.decode()
    )


def test_the_retention_page_shows_the_schedule_and_what_its_runs_did(
    client, login_verified, make_staff, unit, settings
):
    settings.RETENTION_CLOSED_CASES_YEARS = 6
    apply_retention(now=datetime(2025, 1, 1, tzinfo=CV))
    admin = make_staff(Role.ADMINISTRATOR, unit)
    body = _as(client, login_verified, admin).get(reverse("backoffice:retention")).content.decode()
    assert "RETENTION_CLOSED_CASES_YEARS" in body
    assert "RETENTION_FEEDBACK_YEARS" in body
    assert body.count('class="card retention-run"') == 1
    with translation.override("pt"):
        assert _pt("The schedule has not run yet.") not in body

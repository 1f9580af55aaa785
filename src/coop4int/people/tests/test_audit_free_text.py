"""The audit log outlives every erasure, so what staff type about a person's record — why it is
held, a note on its erasure — and the keys of a duplicate check before registering someone
never reach it: the words stay on the record (the hold's reason, the tombstone's note), and the
log keeps codes, lengths, masked values and counts."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.people.domain.erasure import erase_person
from coop4int.people.domain.legal_hold import lift_legal_hold, set_legal_hold
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.domain.queries import duplicates_for_user
from coop4int.people.enums import ErasureGround
from coop4int.people.models import Person

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
HELD = datetime(2025, 4, 1, 9, tzinfo=CV)
ERASED = datetime(2025, 6, 2, 12, tzinfo=CV)

# Each value holds a word found nowhere else, so that a value cut short is still caught.
GIVEN, FAMILY = "Quitéria", "Barbosinha-Lamego"
PHONE = "+2389871234"
EMAIL = "quiteria.barbosinha@example.org"
BORN = date(1988, 11, 23)
HOLD_REASON = "Queixa da Quitéria contra o senhorio Tamarindeiro, processo 4/2025"
ERASURE_NOTE = "Pedido escrito da Quitéria, entregue pelo irmão Jenipapeiro"
PERSONAL = (
    GIVEN, FAMILY, "Quiteria", "Barbosinha", PHONE, PHONE.removeprefix("+238"), EMAIL,
    EMAIL.split("@")[0], "1988-11-23", "23/11/1988", HOLD_REASON, ERASURE_NOTE, "Tamarindeiro",
    "Jenipapeiro", "senhorio", "irmão",
)  # fmt: skip


def _found_in_the_log() -> list[tuple[str, str]]:
    """(action, value) for each personal value found in an entry's label or data."""
    found = []
    for entry in AuditEntry.objects.order_by("pk"):
        text = f"{entry.object_repr} {json.dumps(entry.data, ensure_ascii=False)}".casefold()
        found += [(entry.action, value) for value in PERSONAL if value.casefold() in text]
    return found


def _last_entry() -> int:
    """The newest entry's key: entries cannot be deleted, so a test reads those after it."""
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def quiteria(officer, unit):
    return register_person(
        actor=officer, unit=unit, phones=[PHONE], emails=[EMAIL],
        details=PersonDetails(given_names=GIVEN, family_names=FAMILY, birth_date=BORN),
    )  # fmt: skip


def test_a_legal_hold_keeps_its_reason_on_the_record_and_its_length_in_the_log(
    quiteria, coordinator
):
    set_legal_hold(person=quiteria, actor=coordinator, reason=f"  {HOLD_REASON}\n", now=HELD)
    quiteria.refresh_from_db()
    assert quiteria.legal_hold_reason == HOLD_REASON  # where the officers read it
    held = AuditEntry.objects.get(action="people.legal_hold.set")
    assert held.data == {"reason_length": len(HOLD_REASON)}

    lift_legal_hold(person=quiteria, actor=coordinator)
    lifted = AuditEntry.objects.get(action="people.legal_hold.lifted")
    assert lifted.data["reason_length"] == len(HOLD_REASON)
    assert datetime.fromisoformat(lifted.data["since"]) == HELD
    assert set(lifted.data) == {"reason_length", "since"}
    assert lifted.object_repr == f"Person #{quiteria.pk}"
    assert _found_in_the_log() == []


def test_an_erasure_logs_its_ground_and_keeps_its_note_on_the_tombstone(quiteria, coordinator):
    set_legal_hold(person=quiteria, actor=coordinator, reason=HOLD_REASON, now=HELD)
    lift_legal_hold(person=quiteria, actor=coordinator)
    erase_person(person=quiteria, actor=coordinator, ground=ErasureGround.PERSON_ASKED,
                 note=ERASURE_NOTE, now=ERASED)  # fmt: skip

    tombstone = Person.objects.get(pk=quiteria.pk)
    assert tombstone.erasure_ground == ErasureGround.PERSON_ASKED
    assert tombstone.erasure_note == ERASURE_NOTE
    erased = AuditEntry.objects.get(action="people.person.erased")
    assert erased.data["ground"] == "person_asked"
    assert erased.data["note_length"] == len(ERASURE_NOTE)
    # Every entry about her, from her registration to her erasure: nothing of hers in clear.
    written = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"people.person.registered", "people.legal_hold.set", "people.legal_hold.lifted",
            "people.person.erased"} <= written  # fmt: skip
    assert _found_in_the_log() == []


def test_a_duplicate_check_is_audited_once_by_its_kinds_of_keys_and_masked_values(
    quiteria, officer, make_staff, other_unit
):
    # Someone with the same phone registered at another unit: out of the officer's reach.
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit)
    register_person(actor=stranger, unit=other_unit, phones=["+2385550000"],
                    details=PersonDetails(given_names=GIVEN, family_names=FAMILY))  # fmt: skip
    before = _last_entry()

    found, elsewhere = duplicates_for_user(
        officer, given_names=GIVEN, family_names=FAMILY, birth_date=BORN,
        phones=(PHONE, "+2385550000"), emails=(EMAIL,),
    )  # fmt: skip

    assert [d.person for d in found] == [quiteria]
    assert elsewhere
    entry = AuditEntry.objects.get(pk__gt=before)
    assert entry.action == "people.duplicates.looked_up"
    assert entry.actor == officer
    assert entry.unit == officer.unit
    assert entry.object_id == ""
    assert entry.data == {
        "keys": ["name", "phone", "email", "birth_date"],
        "phones": ["***1234", "***0000"],
        "emails": ["qu***@example.org"],
        "matches": 1,  # the record of the other unit is not counted
        "elsewhere": True,
    }
    assert _found_in_the_log() == []


def test_a_check_by_name_alone_keeps_no_word_of_it(quiteria, officer):
    before = _last_entry()
    found, _elsewhere = duplicates_for_user(officer, given_names=GIVEN, family_names=FAMILY)
    assert [d.person for d in found] == [quiteria]
    assert AuditEntry.objects.get(pk__gt=before).data == {
        "keys": ["name"], "phones": [], "emails": [], "matches": 1, "elsewhere": False,
    }  # fmt: skip
    assert _found_in_the_log() == []


def test_each_duplicate_check_of_the_walk_in_page_is_audited_once(
    client, login_verified, officer, quiteria
):
    login_verified(client, officer)
    form = {"channel": "walk_in", "given_names": GIVEN, "family_names": FAMILY,
            "sex": "female", "preferred_language": "pt", "phone": PHONE,
            "consent_service": "on", "subject": "Visto", "priority": "2"}  # fmt: skip
    shown = client.post(reverse("backoffice:case_new"), form)
    assert shown.status_code == 200  # the possible duplicate is shown, nothing opened
    checks = AuditEntry.objects.filter(action="people.duplicates.looked_up")
    assert list(checks.values_list("data", flat=True)) == [
        {"keys": ["name", "phone"], "phones": ["***1234"], "emails": [], "matches": 1,
         "elsewhere": False},
    ]  # fmt: skip

    chosen = client.post(reverse("backoffice:case_new"), form | {"person_choice": str(quiteria.pk)})
    assert chosen.status_code == 302
    assert checks.count() == 2  # the check is made again with the choice: audited again
    assert _found_in_the_log() == []

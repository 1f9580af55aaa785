"""Rectification: each corrected field keeps its history (before, after, who, when, why);
bad input changes nothing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.people.domain.duplicates import possible_duplicates
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.domain.queries import rectification_history
from coop4int.people.domain.rectification import RectificationRefused, rectify_person
from coop4int.people.models import Person, Rectification

pytestmark = pytest.mark.django_db

CV = ZoneInfo("Atlantic/Cape_Verde")
MONDAY = datetime(2025, 5, 5, 10, tzinfo=CV)
TUESDAY = datetime(2025, 5, 6, 10, tzinfo=CV)


@pytest.fixture
def ana(officer, unit):
    return register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Ana", family_names="Sambú", birth_date=date(1990, 1, 2),
                              nationalities=("GW",), document_number="X1"),
    )  # fmt: skip


def test_each_correction_keeps_what_was_there_who_when_and_why(ana, officer, coordinator):
    made = rectify_person(
        person=ana, actor=officer, reason="Erro no registo", now=MONDAY,
        changes={"family_names": "Sambu Lopes", "birth_date": "1990-02-01",
                 "nationalities": "gw, sn", "given_names": "Ana"},
    )  # fmt: skip
    rectify_person(person=ana, actor=coordinator, changes={"family_names": "Lopes"},
                   reason="Pedido da pessoa", now=TUESDAY)  # fmt: skip

    assert len(made) == 3  # the given names did not change
    ana.refresh_from_db()
    assert (ana.family_names, ana.birth_date, ana.nationalities) == (
        "Lopes", date(1990, 2, 1), ["GW", "SN"],
    )  # fmt: skip
    history = [(r.field, r.old_value, r.new_value, r.made_by, r.made_at, r.reason)
               for r in rectification_history(ana)]  # fmt: skip
    # Newest first; in one correction, the fields in the reverse of the order given.
    assert history == [
        ("family_names", "Sambu Lopes", "Lopes", coordinator, TUESDAY, "Pedido da pessoa"),
        ("nationalities", "GW", "GW, SN", officer, MONDAY, "Erro no registo"),
        ("birth_date", "1990-01-02", "1990-02-01", officer, MONDAY, "Erro no registo"),
        ("family_names", "Sambú", "Sambu Lopes", officer, MONDAY, "Erro no registo"),
    ]
    # Search finds the record under its corrected name.
    assert [d.person for d in possible_duplicates(given_names="Ana", family_names="Lopes")] == [ana]
    entries = AuditEntry.objects.filter(action="people.person.rectified").order_by("pk")
    assert [sorted(e.data["fields"]) for e in entries] == [
        ["birth_date", "family_names", "nationalities"], ["family_names"],
    ]  # fmt: skip
    assert "Lopes" not in str([e.data for e in entries])  # the values stay out of the log


@pytest.mark.parametrize(
    ("changes", "reason", "error"),
    [
        ({"family_names": "Lopes"}, "  ", RectificationRefused),  # no reason
        ({"unit": 3}, "Pedido", RectificationRefused),  # not a field one corrects here
        ({"family_names": "Sambú"}, "Pedido", RectificationRefused),  # nothing changes
        ({"birth_date": "2 de maio"}, "Pedido", ValidationError),
        ({"sex": "robot"}, "Pedido", ValidationError),
    ],
)
def test_bad_input_changes_nothing(ana, officer, changes, reason, error):
    with pytest.raises(error):
        rectify_person(person=ana, actor=officer, changes=changes, reason=reason, now=MONDAY)
    assert not Rectification.objects.exists()
    assert Person.objects.get(pk=ana.pk).family_names == "Sambú"
    assert not AuditEntry.objects.filter(action="people.person.rectified").exists()


def test_only_who_may_read_a_sensitive_field_corrects_it(ana, make_staff, unit):
    # An administrator reads everything; a trainer does not work cases at all.
    trainer = make_staff(Role.TRAINER, unit)
    with pytest.raises(RectificationRefused):
        rectify_person(person=ana, actor=trainer, changes={"document_number": "X2"},
                       reason="Pedido", now=MONDAY)  # fmt: skip
    admin = make_staff(Role.ADMINISTRATOR, unit)
    rectify_person(person=ana, actor=admin, changes={"document_number": "X2"}, reason="Pedido",
                   now=MONDAY)  # fmt: skip
    assert Person.objects.get(pk=ana.pk).document_number == "X2"


def test_an_erased_record_is_not_corrected(ana, officer):
    Person.objects.filter(pk=ana.pk).update(erased_at=MONDAY)
    with pytest.raises(RectificationRefused):
        rectify_person(person=ana, actor=officer, changes={"given_names": "Zé"}, reason="Pedido")

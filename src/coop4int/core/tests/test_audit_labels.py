"""How the audit log names objects and searches: never by a personal value. And the one-time
rewrite of the labels written before, under the append-only trigger."""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.appointments.domain.booking import book_slot
from coop4int.appointments.tests.helpers import NOW, at, bookable_desk
from coop4int.core import audit
from coop4int.core.models import AuditEntry
from coop4int.core.personal_data import PersonalData
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import ContactPoint, Person

pytestmark = pytest.mark.django_db

MIGRATION = "0007_audit_labels_without_names"
relabelling = import_module(f"coop4int.core.migrations.{MIGRATION}")


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Rosa", last_name="Tavares")


@pytest.fixture
def person(officer, unit):
    return register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )


def test_a_person_and_a_contact_point_are_named_by_id(person):
    contact = person.contacts.get()
    assert audit.object_label(person) == f"Person #{person.pk}"
    assert audit.object_label(contact) == f"Contact point #{contact.pk}"
    assert "Aminata" not in audit.object_label(person)


def test_a_declared_model_without_a_label_of_its_own_gets_its_name_and_id(officer, monkeypatch):
    declared = PersonalData(
        model="accounts.User", person_path="", description="", purpose="", legal_basis=""
    )
    assert audit.object_label(officer) == str(officer)  # not declared: its own str()
    monkeypatch.setattr(audit, "declaration_for", lambda model: declared if model is User else None)
    with translation.override(None):
        expected = f"{capfirst(User._meta.verbose_name)} #{officer.pk}"
    # In the source language whatever the reader's: every entry reads the same.
    with translation.override("pt"):
        assert audit.object_label(officer) == expected
    assert "Rosa" not in audit.object_label(officer)


def test_a_lazy_object_is_labelled_as_the_object_it_stands_for(person, officer):
    # ``request.user`` is one: the log-in and log-out entries are written with it.
    entry = audit.record(
        action="tests.thing.done", actor=officer, obj=SimpleLazyObject(lambda: person)
    )
    assert entry.object_repr == f"Person #{person.pk}"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Aminata Diallo", {"kind": "text", "length": 14, "words": 2}),
        ("  maria  da   luz ", {"kind": "text", "length": 12, "words": 3}),
        ("ana.silva@example.org", {"kind": "email", "query": "an***@example.org"}),
        ("+238 991 23 45", {"kind": "phone", "query": "***2345"}),
        ("", {"kind": "none"}),
    ],
)
def test_a_search_is_kept_by_its_kind_and_length_or_masked(typed, kept):
    assert audit.describe_search(typed) == kept


def _old_entry(obj, label: str) -> AuditEntry:
    """An entry as ``record`` wrote it before: ``str(obj)`` as the label."""
    return AuditEntry.objects.create(
        action="tests.thing.done",
        object_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=label,
        data={"n": 1},
    )


def _run_migration() -> int:
    """The migration's function on the test database, in a transaction of its own as the
    migration runs (the schema editor only needs the connection and ``execute``)."""

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    # The models as the migration sees them: the entries' plain historical manager.
    state = MigrationExecutor(connection).loader.project_state([("core", MIGRATION)])
    with transaction.atomic():
        return relabelling.relabel(
            state.apps, SimpleNamespace(connection=connection, execute=execute)
        )


def _refuses_update(entry: AuditEntry) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    except DatabaseError:
        return True
    return False


def test_the_migration_rewrites_names_to_ids_and_keeps_the_log_append_only(person, officer):
    contact = person.contacts.get()
    about_her = _old_entry(person, "Aminata Diallo")
    her_number = _old_entry(contact, "+2389912345")
    about_staff = _old_entry(officer, "Rosa Tavares")
    assert _refuses_update(about_her)

    assert _run_migration() >= 2

    for entry in (about_her, her_number, about_staff):
        entry.refresh_from_db()
    assert about_her.object_repr == f"Person #{person.pk}"
    assert her_number.object_repr == f"Contact point #{contact.pk}"
    # Nothing else changed: the entry still says what was done to which record.
    assert (about_her.action, about_her.object_id, about_her.data) == (
        "tests.thing.done", str(person.pk), {"n": 1},
    )  # fmt: skip
    assert about_staff.object_repr == "Rosa Tavares"  # not a person served: untouched
    # The trigger is back: the log refuses changes again.
    assert _refuses_update(about_her)
    assert AuditEntry.objects.get(pk=about_her.pk).action == "tests.thing.done"


def test_the_labels_match_what_record_writes_now(person):
    contact = person.contacts.get()
    _old_entry(person, "Aminata Diallo")
    _old_entry(contact, "+2389912345")
    _run_migration()
    assert set(AuditEntry.objects.values_list("object_repr", flat=True)) >= {
        audit.object_label(person),
        audit.object_label(contact),
    }
    assert set(relabelling.RELABELLED) == {
        (model._meta.app_label, model._meta.model_name) for model in (Person, ContactPoint)
    }


@pytest.mark.postgresql
def test_postgresql_still_refuses_delete_after_the_migration(person):
    entry = _old_entry(person, "Aminata Diallo")
    _run_migration()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_models_own_label_is_shown_with_its_name_in_the_readers_language(officer, unit):
    """A booking's entry is stored as "Booking K7MX-4QF9" (its reference names it, never the
    person); the log shows the kind of record in the reader's language, the reference as it is."""
    booking, _secret = book_slot(
        service_at_location=bookable_desk(unit).service_at_location, start=at(19, 9),
        name="Awa Diallo", email="awa@example.org", language="fr", now=NOW,
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="appointments.booking.booked")
    assert entry.object_repr == f"Booking {booking.reference}"
    with translation.override("pt"):
        portuguese = translation.gettext("booking")
        assert entry.object_label() == f"{capfirst(portuguese)} {booking.reference}"
    assert portuguese != "booking"
    with translation.override("en"):
        assert entry.object_label() == f"Booking {booking.reference}"

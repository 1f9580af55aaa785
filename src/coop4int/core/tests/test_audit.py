import pytest
from django.db import DatabaseError, connection, transaction

from coop4int.core import audit, request_context
from coop4int.core.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entry(make_staff, unit):
    actor = make_staff("front_office_officer", unit)
    return audit.record(action="tests.thing.done", actor=actor, obj=actor, data={"n": 1})


def test_record_keeps_who_unit_object_address_and_request(make_staff, unit):
    actor = make_staff("front_office_officer", unit)
    token = request_context.activate(
        request_context.RequestContext(request_id="req-12345678", ip_address="10.1.2.3")
    )
    try:
        entry = audit.record(action="accounts.staff.created", actor=actor, obj=actor)
    finally:
        request_context.reset(token)
    entry.refresh_from_db()
    assert entry.actor == actor
    assert entry.actor_label == actor.username
    assert entry.unit == unit
    assert entry.object_id == str(actor.pk)
    assert entry.object_type.model == "user"
    assert entry.ip_address == "10.1.2.3"
    assert entry.request_id == "req-12345678"
    assert entry.created_at is not None


def test_entry_cannot_be_saved_again(entry):
    entry.action = "tests.thing.undone"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "tests.thing.done"


def test_entry_cannot_be_deleted_through_the_application(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    assert AuditEntry.objects.filter(pk=entry.pk, action="tests.thing.done").exists()


def test_database_refuses_update_in_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "tests.thing.done"


@pytest.mark.postgresql
def test_postgresql_refuses_delete_in_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("value", "masked"),
    [("maria@example.org", "ma***@example.org"), ("+238 991 23 45", "***2345"), ("abc", "***")],
)
def test_mask_hides_personal_values(value, masked):
    assert audit.mask(value) == masked

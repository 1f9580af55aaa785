"""The one-time rewrite of the reasons staff typed into audit entries before the reasons moved out
of the log: the words go, their length stays, codes and everything else stay as written, and the
log is append-only again afterwards."""

from importlib import import_module
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from coop4int.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MIGRATION = "0009_audit_reasons_without_words"
rewriting = import_module(f"coop4int.core.migrations.{MIGRATION}")

DECLINED = "Recusado: a senhora Pitangueira já tem consulta"
RESOLVED = "Resolvido com a Dona Jabuticabeira ao telefone"
WITHDRAWN = "Retirado a pedido do Sr. Carambolinha"
ERASED = "Pedido da Zenaida Quaresma por carta"
HELD = "Queixa da Zenaida contra o senhorio"
WORDS = (DECLINED, RESOLVED, WITHDRAWN, ERASED, HELD,
         "Pitangueira", "Jabuticabeira", "Carambolinha", "Zenaida")  # fmt: skip


def _old_entry(action: str, data: dict[str, Any]) -> AuditEntry:
    """An entry as the domain wrote it before: the reason as typed."""
    return AuditEntry.objects.create(
        action=action, object_id="42", object_repr="Referral #42", data=data
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
        return rewriting.forget_reasons(
            state.apps, SimpleNamespace(connection=connection, execute=execute)
        )


def _refuses_update(entry: AuditEntry) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    except DatabaseError:
        return True
    return False


def _data(entry: AuditEntry) -> dict[str, Any]:
    entry.refresh_from_db()
    return entry.data


def test_the_migration_replaces_typed_reasons_by_their_length_and_keeps_the_log_append_only():
    declined = _old_entry("cases.referral.declined", {"reason": DECLINED})
    resolved = _old_entry(
        "cases.case.status_changed", {"from": "open", "to": "resolved", "reason": RESOLVED}
    )
    withdrawn = _old_entry("cases.referral.withdrawn", {"reason": WITHDRAWN})
    erased = _old_entry(
        "people.person.erased",
        {"reason": ERASED, "merged_records": 1, "counts": {"cases.Case": {"anonymise": 2}}},
    )
    held = _old_entry("people.legal_hold.set", {"reason": HELD})
    lifted = _old_entry(
        "people.legal_hold.lifted", {"reason": HELD, "since": "2025-03-03T11:00:00+00:00"}
    )
    assert _refuses_update(declined)

    assert _run_migration() == 6

    assert _data(declined) == {"reason": "", "reason_length": len(DECLINED)}
    assert _data(resolved) == {
        "from": "open", "to": "resolved", "reason": "", "reason_length": len(RESOLVED),
    }  # fmt: skip
    assert _data(withdrawn) == {"reason": "", "reason_length": len(WITHDRAWN)}
    assert _data(erased) == {
        "reason": "", "reason_length": len(ERASED), "merged_records": 1,
        "counts": {"cases.Case": {"anonymise": 2}},
    }  # fmt: skip
    assert _data(held) == {"reason": "", "reason_length": len(HELD)}
    assert _data(lifted) == {
        "reason": "", "reason_length": len(HELD), "since": "2025-03-03T11:00:00+00:00",
    }  # fmt: skip
    # Nothing else changed: the entry still says what was done, to what, by whom.
    declined.refresh_from_db()
    assert (declined.action, declined.object_id, declined.object_repr) == (
        "cases.referral.declined", "42", "Referral #42",
    )  # fmt: skip
    everything = " ".join(str(data) for data in AuditEntry.objects.values_list("data", flat=True))
    assert [words for words in WORDS if words in everything] == []
    # The trigger is back: the log refuses changes again.
    assert _refuses_update(declined)
    assert AuditEntry.objects.get(pk=declined.pk).action == "cases.referral.declined"


@pytest.mark.parametrize("code", sorted(rewriting.REASON_CODES))
def test_a_reason_code_stays_as_it_is(code):
    moved = _old_entry("cases.case.status_changed", {"from": "open", "to": "waiting_partner",
                                                     "reason": code})  # fmt: skip
    assert _run_migration() == 0
    assert _data(moved)["reason"] == code
    assert "reason_length" not in _data(moved)


def test_entries_without_words_and_other_kinds_are_untouched():
    # As the domain writes them now, and kinds that never held a typed reason.
    untouched = [
        _old_entry("cases.referral.declined", {"has_reason": True, "reason_length": 12}),
        _old_entry("cases.case.status_changed", {"from": "open", "to": "closed", "reason": ""}),
        _old_entry(
            "cases.referral.withdrawn", {"reason": "", "reason_note": 7, "reason_length": 30}
        ),
        _old_entry("people.person.erased", {"ground": "person_asked", "note_length": 0}),
        _old_entry("people.legal_hold.set", {"reason_length": 16}),
        _old_entry("directory.proposal.rejected", {"reason": "Horário errado"}),
        _old_entry("cases.case.status_changed", {"from": "open", "to": "closed"}),
    ]
    before = [entry.data for entry in untouched]
    assert _run_migration() == 0
    assert [_data(entry) for entry in untouched] == before


def test_rewriting_twice_changes_nothing_the_second_time():
    entry = _old_entry("cases.referral.declined", {"reason": DECLINED})
    assert _run_migration() == 1
    assert _run_migration() == 0
    assert _data(entry) == {"reason": "", "reason_length": len(DECLINED)}


def test_many_entries_are_rewritten_batch_after_batch(monkeypatch):
    monkeypatch.setattr(rewriting, "_BATCH", 3)
    entries = [_old_entry("cases.referral.withdrawn", {"reason": f"Motivo {n}"}) for n in range(8)]
    assert _run_migration() == 8
    assert {_data(entry)["reason"] for entry in entries} == {""}


@pytest.mark.postgresql
def test_postgresql_still_refuses_delete_after_the_migration():
    entry = _old_entry("cases.referral.declined", {"reason": DECLINED})
    _run_migration()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()

"""Audit entries keep the length of the reasons staff typed, no longer their words.

Entries written before the reasons moved out of the log hold them as typed in ``data["reason"]``:
a partner's reason for declining a referral (``cases.referral.declined``), an officer's own
reason for a case's move or a referral's withdrawal (``cases.case.status_changed``,
``cases.referral.withdrawn``), why a record was erased (``people.person.erased``) and why it
was held (``people.legal_hold.set``, ``people.legal_hold.lifted``). Words typed about someone
may name them, and the log outlives an erasure, so each such reason is rewritten once to
``""`` with ``reason_length``, the length of the words the entry held (entries of some kinds cut
them at 200 characters). A reason that is one of the codes the cases app writes (``first_reply``,
``referred``…) is not free text and stays as it is; an empty one stays too. Nothing else in the
entry changes: who, when, what, the object, its label and the rest of ``data``.

The second exception to the append-only rule (ADR 0003, amendments), done the way the first one
was (``0007_audit_labels_without_names``): the trigger that refuses UPDATE is dropped, the
entries rewritten and the trigger created again from the statements of
``0002_audit_append_only``, all in this migration's transaction (DDL is transactional on SQLite
and PostgreSQL alike): if anything fails, nothing changed and the trigger is still there; while
it runs, the table is locked, so no other change slips through.
"""

from importlib import import_module
from typing import Any

from django.db import migrations

# The trigger as it was created: the same statements, so it comes back identical.
_APPEND_ONLY = import_module("coop4int.core.migrations.0002_audit_append_only")

# The kinds of entry that held a reason as typed in ``data["reason"]``.
REWRITTEN_ACTIONS = (
    "cases.referral.declined",
    "cases.case.status_changed",
    "cases.referral.withdrawn",
    "people.person.erased",
    "people.legal_hold.set",
    "people.legal_hold.lifted",
)

# The reasons the cases app writes as codes (``cases.domain.cases.REASON_CODES`` when this
# migration was written): kept as they are. Frozen here, as a migration must read the same
# whenever it runs.
REASON_CODES = frozenset(
    {
        "first_reply",
        "assigned",
        "person_wrote",
        "referred",
        "referral_declined",
        "referral_completed",
        "referral_withdrawn",
        "sharing_consent_withdrawn",
    }
)

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditentry_no_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry"],
}
CREATE = {
    "sqlite": _APPEND_ONLY.SQLITE_FORWARD,
    "postgresql": _APPEND_ONLY.POSTGRES_FORWARD,
}

# Entries read and written this many at a time: the log may be long.
_BATCH = 500


def without_words(data: Any) -> dict[str, Any] | None:
    """``data`` with its reason replaced by ``""`` and the reason's length; None when there is
    nothing to rewrite (no reason, an empty one, a code, or not text)."""
    if not isinstance(data, dict):
        return None
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason or reason in REASON_CODES:
        return None
    return data | {"reason": "", "reason_length": len(reason)}


def forget_reasons(apps: Any, schema_editor: Any) -> int:
    """Rewrite the entries; returns how many were rewritten."""
    entry_model = apps.get_model("core", "AuditEntry")
    vendor = schema_editor.connection.vendor
    for statement in DROP.get(vendor, []):
        schema_editor.execute(statement)
    # The historical model's manager is a plain one: its bulk_update() is allowed.
    entries = entry_model.objects.filter(action__in=REWRITTEN_ACTIONS).order_by("pk")
    rewritten = 0
    after = 0
    while True:
        # Read a batch by key before writing it: no cursor stays open over the rows written.
        batch = list(entries.filter(pk__gt=after).only("pk", "data")[:_BATCH])
        if not batch:
            break
        after = batch[-1].pk
        changed = []
        for entry in batch:
            data = without_words(entry.data)
            if data is not None:
                entry.data = data
                changed.append(entry)
        entry_model.objects.bulk_update(changed, ["data"])
        rewritten += len(changed)
    for statement in CREATE.get(vendor, []):
        schema_editor.execute(statement)
    return rewritten


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("core", "0008_shared_cache_table")]

    # Going back does not bring the words back: there is nothing to undo.
    operations = [migrations.RunPython(forget_reasons, migrations.RunPython.noop, elidable=False)]

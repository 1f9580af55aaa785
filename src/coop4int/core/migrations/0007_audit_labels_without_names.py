"""Audit entries name a person's record by its id, no longer by the person's name.

Entries written before ``core.audit.object_label`` kept ``str(obj)`` as ``object_repr``: a
person's full name (and, for a contact point, the number or address). The log outlives an
erasure, so those labels are rewritten once to what ``record`` writes now ("Person #<pk>",
"Contact point #<pk>"); the object's type and id are untouched, so every entry still says what
was done to which record.

This is the one exception to the append-only rule (ADR 0003, amendment): the trigger that
refuses UPDATE is dropped, the labels rewritten and the trigger created again, all in this
migration's transaction (on SQLite and PostgreSQL alike DDL is transactional): if anything
fails, nothing changed and the trigger is still there; while it runs, the table is locked, so
no other change slips through.
"""

from importlib import import_module
from typing import Any

from django.db import migrations
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat

# The trigger as it was created: the same statements, so it comes back identical.
_APPEND_ONLY = import_module("coop4int.core.migrations.0002_audit_append_only")

# (app label, model) → the label ``audit_label`` gives it now, before the row's id.
RELABELLED = {
    ("people", "person"): "Person #",
    ("people", "contactpoint"): "Contact point #",
}

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditentry_no_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry"],
}
CREATE = {
    "sqlite": _APPEND_ONLY.SQLITE_FORWARD,
    "postgresql": _APPEND_ONLY.POSTGRES_FORWARD,
}


def relabel(apps: Any, schema_editor: Any) -> int:
    """Rewrite the labels; returns how many entries were rewritten."""
    entry_model = apps.get_model("core", "AuditEntry")
    vendor = schema_editor.connection.vendor
    for statement in DROP.get(vendor, []):
        schema_editor.execute(statement)
    rewritten = 0
    for (app_label, model), prefix in RELABELLED.items():
        # The historical model's manager is a plain one: its update() is allowed.
        rewritten += entry_model.objects.filter(
            object_type__app_label=app_label, object_type__model=model
        ).update(object_repr=Concat(Value(prefix), F("object_id"), output_field=CharField()))
    for statement in CREATE.get(vendor, []):
        schema_editor.execute(statement)
    return rewritten


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("core", "0006_search_rum"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Going back does not bring the names back: there is nothing to undo.
    operations = [migrations.RunPython(relabel, migrations.RunPython.noop, elidable=False)]

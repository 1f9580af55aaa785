"""The full-text index over SearchDocument.folded: SQLite FTS5 kept in step by triggers, or a
PostgreSQL GIN index on a stored text-search vector (a column the model does not know:
the database keeps it)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE core_search_fts USING fts5(
           folded, content='core_searchdocument', content_rowid='id',
           tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER core_search_ai AFTER INSERT ON core_searchdocument BEGIN
           INSERT INTO core_search_fts(rowid, folded) VALUES (new.id, new.folded); END""",
    """CREATE TRIGGER core_search_ad AFTER DELETE ON core_searchdocument BEGIN
           INSERT INTO core_search_fts(core_search_fts, rowid, folded)
           VALUES ('delete', old.id, old.folded); END""",
    """CREATE TRIGGER core_search_au AFTER UPDATE ON core_searchdocument BEGIN
           INSERT INTO core_search_fts(core_search_fts, rowid, folded)
           VALUES ('delete', old.id, old.folded);
           INSERT INTO core_search_fts(rowid, folded) VALUES (new.id, new.folded); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_search_ai",
    "DROP TRIGGER IF EXISTS core_search_ad",
    "DROP TRIGGER IF EXISTS core_search_au",
    "DROP TABLE IF EXISTS core_search_fts",
]
# A stored vector: ranking reads it instead of parsing every matching text again.
POSTGRES_FORWARD = [
    "ALTER TABLE core_searchdocument ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED",
    "CREATE INDEX core_search_gin ON core_searchdocument USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_search_gin",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_search_document")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

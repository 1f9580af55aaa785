"""The full-text index over SearchDocument.folded: SQLite FTS5 kept in step by triggers, or a
PostgreSQL GIN index on its text-search vector."""

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
POSTGRES_FORWARD = [
    "CREATE INDEX core_search_gin ON core_searchdocument "
    "USING GIN (to_tsvector('simple', folded))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS core_search_gin"]


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

"""The full-text index over SearchDocument.folded: SQLite FTS5 kept in step by triggers, or a
PostgreSQL GIN index on text-search vectors kept in a narrow table by triggers (a table the
models do not know: the database keeps it)."""

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
# PostgreSQL: the text-search vectors live in a narrow table of their own, kept in step by
# triggers. Ranking reads thousands of vectors per search; beside the wide document rows they
# would be read out of line (TOAST), several times slower.
POSTGRES_FORWARD = [
    "CREATE TABLE core_search_vector (id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX core_search_gin ON core_search_vector USING GIN (vector)",
    """CREATE FUNCTION core_search_vector_keep() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           DELETE FROM core_search_vector WHERE id = OLD.id;
           RETURN OLD;
         END IF;
         INSERT INTO core_search_vector (id, vector)
           VALUES (NEW.id, to_tsvector('simple', NEW.folded))
           ON CONFLICT (id) DO UPDATE SET vector = EXCLUDED.vector;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_search_vector_keep AFTER INSERT OR UPDATE OR DELETE
       ON core_searchdocument FOR EACH ROW EXECUTE FUNCTION core_search_vector_keep()""",
    """CREATE FUNCTION core_search_vector_empty() RETURNS trigger AS $$
       BEGIN TRUNCATE core_search_vector; RETURN NULL; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_search_vector_empty AFTER TRUNCATE ON core_searchdocument
       FOR EACH STATEMENT EXECUTE FUNCTION core_search_vector_empty()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_search_vector_empty ON core_searchdocument",
    "DROP TRIGGER IF EXISTS core_search_vector_keep ON core_searchdocument",
    "DROP FUNCTION IF EXISTS core_search_vector_empty()",
    "DROP FUNCTION IF EXISTS core_search_vector_keep()",
    "DROP TABLE IF EXISTS core_search_vector",
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

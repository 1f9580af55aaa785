"""On PostgreSQL with the RUM extension available (Debian: postgresql-NN-rum), the vectors are
indexed with RUM, which keeps each word's positions in the index and returns the best-ranked
matches straight from it: a search no longer reads and ranks every matching row. Without the
extension (or the right to create it) the GIN index stays, and ranking uses ts_rank."""

from django.db import migrations

FORWARD = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS rum;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'RUM is available but this role may not create it; search keeps GIN';
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'rum') THEN
    CREATE INDEX IF NOT EXISTS core_search_rum ON core_search_vector
      USING rum (vector rum_tsvector_ops);
    DROP INDEX IF EXISTS core_search_gin;
  END IF;
END $$;
"""
BACKWARD = """
CREATE INDEX IF NOT EXISTS core_search_gin ON core_search_vector USING GIN (vector);
DROP INDEX IF EXISTS core_search_rum;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0005_search_index")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]

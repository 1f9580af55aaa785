"""The table of the default cache (``dbcache://coop4int_cache``, ``settings.CACHES``): rate-limit
counters and cached pages that every process shares (docs/adr/0013-shared-cache-and-proxies.md).
Created wherever migrations run — a new installation, ``scripts/setup``, the test database — so
that nobody has to remember ``createcachetable``; also any other database cache table the
settings name at that time."""

from typing import Any

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "coop4int_cache"


def create_cache_tables(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    call_command("createcachetable", CACHE_TABLE, database=alias, verbosity=0)
    call_command("createcachetable", database=alias, verbosity=0)


def drop_cache_table(apps: Any, schema_editor: Any) -> None:
    quote = schema_editor.connection.ops.quote_name
    schema_editor.execute(f"DROP TABLE IF EXISTS {quote(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0007_audit_labels_without_names")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_table)]

"""Files attached before files were reviewed were public: they stay public, so that nothing
the public could download disappears; files added since are drafts."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("content", "0006_review_and_health")]
AFTER = [("content", "0007_attachment_review")]


@pytest.mark.django_db(transaction=True)
def test_files_stored_before_stay_public_and_new_ones_are_drafts(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        author = old.get_model("accounts", "User").objects.create(username="ana")
        item = old.get_model("content", "ContentItem").objects.create(
            slug="linha", kind="card", source_language="pt"
        )
        stored = old.get_model("content", "Attachment").objects.create(
            item=item, language="pt", title="Cartão", file="content/2025/03/linha-pt.pdf",
            content_type="application/pdf", size=100, uploaded_by=author,
        )  # fmt: skip
        uploaded_at = datetime(2025, 3, 10, 12, tzinfo=UTC)
        type(stored).objects.filter(pk=stored.pk).update(uploaded_at=uploaded_at)

        executor.loader.build_graph()
        executor.migrate(AFTER)

        new = executor.loader.project_state(AFTER).apps.get_model("content", "Attachment")
        kept = new.objects.get(pk=stored.pk)
        assert kept.status == "published"
        assert (kept.published_at, kept.published_by_id) == (uploaded_at, None)
        fresh = new.objects.create(
            item_id=item.pk, language="pt", title="Novo", file="content/2026/01/novo.pdf",
            content_type="application/pdf", size=10, uploaded_by_id=author.pk,
        )  # fmt: skip
        assert fresh.status == "draft"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

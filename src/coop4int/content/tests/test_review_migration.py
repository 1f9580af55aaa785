"""Items stored before review dates existed get one: reviewed on the day (in Cabo Verde) their
source was last published and due a year later, else due a year after they were created; and
the unit of whoever wrote their source first."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("content", "0005_feedback_source")]
AFTER = [("content", "0006_review_and_health")]


@pytest.mark.django_db(transaction=True)
def test_items_stored_before_get_a_review_date_and_their_authors_unit():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        unit = old.get_model("accounts", "Unit").objects.create(
            slug="praia", name="Praia", kind="local"
        )
        author = old.get_model("accounts", "User").objects.create(username="ana", unit=unit)
        item_model = old.get_model("content", "ContentItem")
        translation_model = old.get_model("content", "Translation")
        revision_model = old.get_model("content", "Revision")

        published = item_model.objects.create(slug="linha", kind="card", source_language="pt")
        text = translation_model.objects.create(item=published, language="pt", title="Linha")
        for status, saved_at in (
            ("draft", datetime(2025, 3, 1, 12, tzinfo=UTC)),
            ("published", datetime(2025, 3, 10, 0, 30, tzinfo=UTC)),  # 9 March in Praia
        ):
            revision = revision_model.objects.create(
                translation=text, version=1, title="Linha", status=status, saved_by=author
            )
            revision_model.objects.filter(pk=revision.pk).update(saved_at=saved_at)
        draft = item_model.objects.create(slug="rascunho", kind="card", source_language="pt")
        item_model.objects.filter(pk=draft.pk).update(
            created_at=datetime(2024, 2, 29, 15, tzinfo=UTC)
        )

        executor.loader.build_graph()
        executor.migrate(AFTER)

        new = executor.loader.project_state(AFTER).apps.get_model("content", "ContentItem")
        linha, rascunho = new.objects.get(slug="linha"), new.objects.get(slug="rascunho")
        assert (linha.last_reviewed_on, linha.review_by) == (date(2025, 3, 9), date(2026, 3, 9))
        assert linha.unit_id == unit.pk
        assert (rascunho.last_reviewed_on, rascunho.review_by) == (None, date(2025, 2, 28))
        assert rascunho.unit_id is None  # nobody wrote its source
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

"""Browser journey: an editor finds a card past its review date (masks in Portuguese centres),
sees it on the health page in words, checks it and marks it reviewed — and the unit turns
green."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import Health, ItemKind
from coop4int.content.models import ContentItem
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _card(author, reviewer, slug: str, title: str) -> ContentItem:
    item = create_item(actor=author, slug=slug, kind=ItemKind.CARD, source_language="pt",
                       title=title)  # fmt: skip
    for language in ("pt", "kea", "en", "fr"):
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body="Texto."
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text)
    return item


def label(health: Health) -> str:
    """The traffic light's words as the Portuguese page writes them, whatever language the
    test process has active."""
    with translation.override("pt"):
        return str(health.label)


def test_an_editor_reviews_a_card_past_its_review_date(page, make_staff, unit, national_unit):
    editor = make_staff(Role.CONTENT_EDITOR, national_unit)
    colleague = make_staff(Role.CONTENT_EDITOR, unit)  # writes the cards: Praia keeps them
    mask = _card(colleague, editor, "mascara", "Uso de máscara nos centros")
    _card(colleague, editor, "linha", "Linha de Apoio")
    # Counted from whatever day the test runs: the review was due ten days ago.
    ContentItem.objects.filter(pk=mask.pk).update(
        review_by=timezone.localdate() - timedelta(days=10)
    )
    t = lambda message: in_language("pt", message)  # noqa: E731

    log_in(page, editor)
    page.goto("/staff/content/")
    row = page.get_by_role("row").filter(has_text="Uso de máscara nos centros")
    expect(row).to_contain_text(t("Past its review date"))

    page.get_by_role("link", name=t("Health of the information")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Health of the information"))
    units = page.get_by_role("table", name=t("Units"))
    praia = units.get_by_role("row").filter(has_text="Praia")
    expect(praia).to_contain_text(label(Health.RED))
    assert serious_violations(page) == []

    page.get_by_role("link", name="Uso de máscara nos centros").click()
    expect(page).to_have_url(re.compile(r"/staff/content/mascara/pt/$"))
    expect(page.locator("#review-state")).to_contain_text(t("Past its review date"))
    page.get_by_role("button", name=t("Checked: it is still true")).click()
    reviewed = t("Marked as reviewed. The next review is due by %(date)s.").split("%(date)s")[0]
    expect(page.get_by_role("status")).to_contain_text(reviewed.strip())
    # Back at the review, said under its heading.
    expect(page).to_have_url(re.compile(r"/staff/content/mascara/pt/#review$"))
    expect(page.locator("#review")).to_be_focused()
    expect(page.locator("#review-said")).to_contain_text(reviewed.strip())
    assert serious_violations(page) == []
    expect(page.locator("#review-state")).not_to_contain_text(t("Past its review date"))

    page.goto("/staff/content/health/")
    praia = page.get_by_role("table", name=t("Units")).get_by_role("row").filter(has_text="Praia")
    expect(praia).to_contain_text(label(Health.GREEN))

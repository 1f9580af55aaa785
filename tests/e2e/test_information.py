"""Browser journeys of information in many languages."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published(item, language, author, reviewer, title, body):
    text = save_text(actor=author, item=item, language=language, title=title, summary="", body=body)
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)


def test_read_a_card_in_arabic_and_in_creole(page, make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    _published(item, "pt", author, reviewer, "Linha de Apoio ao Migrante", "Ligue 808 257 257.")
    _published(item, "ar", author, reviewer, "خط دعم المهاجرين", "اتصل بالرقم 808 257 257.")

    page.goto("/kea/info/linha/")
    expect(page.locator(".fallback-note")).to_contain_text("Kabuverdianu")
    expect(page.locator("article")).to_have_attribute("lang", "pt")

    page.get_by_role("link", name="العربية").click()
    article = page.locator("article")
    expect(article).to_have_attribute("dir", "rtl")
    expect(article.get_by_role("heading", level=1)).to_have_text("خط دعم المهاجرين")
    assert article.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_translate_publish_after_review_then_source_change_marks_it_outdated(
    browser, live_server, make_staff, national_unit
):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    _published(item, "pt", author, reviewer, "Linha de Apoio", "Ligue 808 257 257.")
    t = lambda message: in_language("pt", message)  # noqa: E731

    writer = browser.new_context(base_url=live_server.url, locale="pt-PT").new_page()
    log_in(writer, author)
    writer.goto("/staff/content/linha/en/")
    writer.get_by_label(t("Title")).fill("Support line")
    writer.get_by_label(t("Text")).fill("Call 808 257 257.")
    writer.get_by_role("button", name=t("Save as a draft")).click()
    writer.get_by_role("button", name=t("Send for review")).click()
    expect(
        writer.get_by_text(t("Someone other than its author must review and publish it.")).first
    ).to_be_visible()

    checker = browser.new_context(base_url=live_server.url, locale="pt-PT").new_page()
    log_in(checker, reviewer)
    checker.goto("/staff/content/linha/en/")
    checker.get_by_role("button", name=t("Publish")).click()
    expect(checker.get_by_role("status")).to_contain_text(t("Published."))
    checker.goto("/en/info/linha/")
    expect(checker.get_by_role("heading", level=1)).to_have_text("Support line")

    # The author changes the source; once the reviewer publishes it, English is outdated.
    writer.goto("/staff/content/linha/pt/")
    writer.get_by_label(t("Title")).fill("Linha de Apoio ao Migrante")
    writer.get_by_role("button", name=t("Save as a draft")).click()
    writer.get_by_role("button", name=t("Send for review")).click()
    checker.goto("/staff/content/linha/pt/")
    checker.get_by_role("button", name=t("Publish")).click()

    writer.goto("/staff/content/linha/en/")
    expect(writer.get_by_text(re.compile(t("Outdated"))).first).to_be_visible()
    diff = writer.locator("pre.diff")
    expect(diff.locator("ins")).to_contain_text(["+Linha de Apoio ao Migrante"])
    expect(diff.locator("del")).to_contain_text(["-Linha de Apoio"])

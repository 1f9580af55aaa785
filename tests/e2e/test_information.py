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

    # A reader asking for Urdu, which this card lacks, is told so in Urdu, right to left.
    page.goto("/pt/info/linha/ur/")
    note = page.locator('.fallback-note p[lang="ur"]')
    expect(note).to_contain_text("یہ متن ابھی آپ کی زبان میں دستیاب نہیں ہے")
    assert note.evaluate("e => getComputedStyle(e).direction") == "rtl"


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
    writer.locator("#id_title").fill("Support line")
    writer.locator("#id_body").fill("Call 808 257 257.")
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
    writer.locator("#id_title").fill("Linha de Apoio ao Migrante")
    writer.get_by_role("button", name=t("Save as a draft")).click()
    writer.get_by_role("button", name=t("Send for review")).click()
    checker.goto("/staff/content/linha/pt/")
    checker.get_by_role("button", name=t("Publish")).click()

    writer.goto("/staff/content/linha/en/")
    expect(writer.get_by_text(re.compile(t("Outdated"))).first).to_be_visible()
    diff = writer.locator("pre.diff")
    expect(diff.locator("ins")).to_contain_text(["+Linha de Apoio ao Migrante"])
    expect(diff.locator("del")).to_contain_text(["-Linha de Apoio"])


def test_send_feedback_and_see_it_in_the_editors_queue(
    browser, live_server, make_staff, national_unit
):
    visitor = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}
    ).new_page()
    visitor.goto("/fr/directory/")
    visitor.get_by_role(
        "link", name=in_language("fr", "Is something missing or wrong on this page?")
    ).click()
    visitor.get_by_label(in_language("fr", "What is missing or wrong?")).fill(
        "Il manque le numéro de Mindelo."
    )
    visitor.get_by_role("button", name=in_language("fr", "Send")).click()
    expect(visitor).to_have_url(re.compile(r"/fr/directory/$"))
    expect(visitor.locator(".messages")).to_contain_text(
        in_language("fr", "Thank you. Your message was received.")
    )

    editor = browser.new_context(base_url=live_server.url, locale="pt-PT").new_page()
    log_in(editor, make_staff(Role.CONTENT_EDITOR, national_unit))
    editor.get_by_role("link", name=in_language("pt", "Feedback")).click()
    row = editor.locator("tbody tr").first
    expect(row).to_contain_text("Il manque le numéro de Mindelo.")
    expect(row).to_contain_text("/fr/directory/")


@pytest.fixture
def linha(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    _published(item, "pt", author, reviewer, "Linha de Apoio ao Migrante", "Ligue 808 257 257.")
    _published(item, "ar", author, reviewer, "خط دعم المهاجرين", "اتصل بالرقم 808 257 257.")
    return item


def test_go_offline_and_reopen_a_card_read_before(browser, live_server, linha):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/pt/info/linha/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps a copy
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_timeout(300)

    context.set_offline(True)
    page.goto("/pt/info/linha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")
    note = page.locator("#saved-copy")
    expect(note).to_be_visible()
    expect(note).to_contain_text(in_language("pt", "You are offline. This is a saved copy from"))
    expect(note.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    context.close()


def test_listen_reads_the_card_aloud_in_its_language(browser, live_server, linha):
    context = browser.new_context(base_url=live_server.url)
    # The device's speech synthesis, standing in: one Arabic voice, and what it is asked to say.
    context.add_init_script("""
        window.__spoken = [];
        const synth = {speaking: false, getVoices: () => [{lang: "ar-SA"}],
                       addEventListener: () => {}, cancel() { this.speaking = false; },
                       speak(u) { window.__spoken.push({lang: u.lang, text: u.text}); }};
        Object.defineProperty(window, "speechSynthesis", {value: synth});
        window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    """)
    page = context.new_page()
    page.goto("/en/info/linha/ar/")
    listen = page.get_by_role("button", name=in_language("en", "Listen"))
    expect(listen).to_be_visible()
    listen.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken[0]["lang"] == "ar"
    assert "808 257 257" in spoken[0]["text"]

    page.goto("/en/info/linha/pt/")  # no Portuguese voice on this device: no button
    expect(page.get_by_role("button", name=in_language("en", "Listen"))).to_be_hidden()
    context.close()


def test_search_without_accents_from_any_page(page, linha, unit):
    page.goto("/pt/")
    page.get_by_role("searchbox", name=in_language("pt", "Search")).fill("migrante 808")
    page.get_by_role("button", name=in_language("pt", "Search")).first.click()
    expect(page).to_have_url(re.compile(r"/pt/search/\?q=migrante"))
    result = page.locator("li.result").first
    expect(result.get_by_role("link")).to_have_text("Linha de Apoio ao Migrante")
    expect(result.locator("mark").first).to_have_text(re.compile("migrante|808", re.IGNORECASE))
    result.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")

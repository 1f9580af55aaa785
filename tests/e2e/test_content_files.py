"""Browser journey: an editor attaches a leaflet to a demo card — a draft the public does not
get; a second editor opens it from the text's page and publishes it, and the public card then
offers it for download."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import Role
from coop4int.accounts.models import Unit
from coop4int.demo import content, organisation
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TITLE = "Folheto da linha de apoio"
SLUG = content.MIGRANT_SUPPORT_LINE.slug


def t(message: str) -> str:
    return in_language("pt", message)


def _visitor(browser: Browser, live_server) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="pt-PT", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _files(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('section[aria-labelledby="files"]')


def test_a_file_reaches_the_public_once_a_second_editor_opened_and_published_it(
    page, browser, live_server, make_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    organisation.load()
    content.load()
    national = Unit.objects.get(slug="aai")
    first = make_staff(Role.CONTENT_EDITOR, national, language="pt")
    second = make_staff(Role.CONTENT_EDITOR, national, language="pt")
    text_page = f"/staff/content/{SLUG}/pt/"

    # The first editor attaches the leaflet: a draft, said under the files' heading.
    log_in(page, first)
    page.goto(text_page)
    files = _files(page)
    files.get_by_label(t("Title of the file")).fill(TITLE)
    # Not the title's label, which holds the same word ("File:" with Django's suffix).
    files.get_by_label(re.compile(rf"^{re.escape(t('File'))}:?$")).set_input_files(
        {"name": "folheto.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    files.get_by_role("button", name=t("Attach the file")).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(text_page)}#files$"))
    expect(page.locator("#files")).to_be_focused()
    added = t("The file was added as a draft. Someone else must open it and publish it.")
    expect(page.locator("#files-said")).to_have_text(added)
    expect(files.get_by_role("button", name=t("Publish this file"))).to_have_count(0)
    expect(files).to_contain_text(
        t("Someone other than the person who added this file must open it and publish it.")
    )
    assert serious_violations(page) == []

    # The public card does not offer it yet.
    visitor = _visitor(browser, live_server)
    visitor.goto(f"/pt/info/{SLUG}/")
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)

    # The second editor opens the file from the text's page, then publishes it.
    reviewer = _visitor(browser, live_server)
    log_in(reviewer, second)
    reviewer.goto(text_page)
    files = _files(reviewer)
    with reviewer.expect_download() as opened:
        files.get_by_role("link", name=TITLE).click()
    assert opened.value.path().read_bytes() == PDF
    assert serious_violations(reviewer) == []
    files.get_by_role("button", name=t("Publish this file")).click()
    expect(reviewer).to_have_url(re.compile(rf"{re.escape(text_page)}#files$"))
    expect(reviewer.locator("#files")).to_be_focused()
    expect(reviewer.locator("#files-said")).to_have_text(t("The file was published."))
    expect(files.get_by_role("button", name=t("Publish this file"))).to_have_count(0)
    assert serious_violations(reviewer) == []

    # Now the public card offers it, and its download is the file.
    visitor.reload()
    leaflet = visitor.get_by_role("link", name=TITLE)
    expect(leaflet).to_be_visible()
    with visitor.expect_download() as downloaded:
        leaflet.click()
    assert downloaded.value.path().read_bytes() == PDF

"""Browser journeys offline: a card opened straight from a shared link, then the connection
lost; the home page and the offline page kept from the first visit."""

import re
import time

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from tests.e2e.steps import in_language
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHE = "coop4int-pages-v1"


@pytest.fixture
def linha(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    text = save_text(actor=author, item=item, language="pt", title="Linha de Apoio ao Migrante",
                     summary="", body="Ligue 808 257 257.")  # fmt: skip
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)
    return item


def wait_until_kept(page, path: str, seconds: float = 10) -> None:
    """Until the service worker's cache holds ``path`` (it is kept in the background)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(
        """async ([cache, path]) => {
            const kept = await caches.open(cache);
            return Boolean(await kept.match(path, {ignoreVary: true}));
        }""",
        [CACHE, path],
    ):
        assert time.monotonic() < deadline, f"{path} was not kept"
        page.wait_for_timeout(100)


def test_a_card_opened_from_a_shared_link_reads_again_offline(browser, live_server, linha):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The very first page of the site this browser opens: no service worker in control yet.
    page.goto("/pt/info/linha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")
    wait_until_kept(page, "/pt/info/linha/")
    wait_until_kept(page, "/pt/")
    wait_until_kept(page, "/pt/offline/")
    # With what it needs to be read (and to say it is a saved copy), whatever the HTTP cache.
    wait_until_kept(page, "/static/coop4int/site.css")
    wait_until_kept(page, "/static/coop4int/site.js")

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")
    note = page.locator("#saved-copy")
    expect(note).to_be_visible()
    expect(note).to_contain_text(in_language("pt", "You are offline. This is a saved copy from"))

    # The home page was kept at once too.
    page.goto("/pt/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Support for immigrants in Cabo Verde")
    )

    # A page never opened: the offline page, with the pages kept on this device.
    page.goto("/pt/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Pages saved on this device")
    )
    expect(page.locator("#not-saved")).to_be_visible()
    saved = page.locator("#saved-pages")
    expect(saved.get_by_role("link", name="Linha de Apoio ao Migrante")).to_be_visible()
    expect(page.locator("#no-saved-pages")).to_be_hidden()
    assert serious_violations(page) == []
    saved.get_by_role("link", name="Linha de Apoio ao Migrante").click()
    expect(page).to_have_url(re.compile(r"/pt/info/linha/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")
    context.close()


def test_a_tracking_page_is_never_kept_offline(browser, live_server, unit):
    case, secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto")
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/pt/")
    wait_until_kept(page, "/pt/offline/")
    page.goto(f"/pt/follow/{case.reference}/{secret}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    page.wait_for_timeout(500)
    kept = page.evaluate(
        """async (cache) => (await (await caches.open(cache)).keys()).map(r => r.url)""", CACHE
    )
    assert not [url for url in kept if "/follow/" in url]

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_language("pt", "Pages saved on this device")
    )
    context.close()

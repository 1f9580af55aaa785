"""Browser journeys offline: a card opened straight from a shared link, then the connection
lost; the home page and the offline page kept from the first visit. What is kept is a public
HTML page with its own security headers, never a file to download nor a staff page."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.content.domain.attachments import add_attachment, publish_attachment
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHE = "coop4int-pages-v2"
# A file that is a PDF by its first bytes and a page with a script by the rest.
POLYGLOT = b"%PDF-1.7\n<html><body><script>document.title = 'ran'</script></body></html>\n"


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def linha(author, make_staff, national_unit):
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    text = save_text(actor=author, item=item, language="pt", title="Linha de Apoio ao Migrante",
                     summary="", body="Ligue 808 257 257.")  # fmt: skip
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)
    return item


@pytest.fixture
def leaflet(linha, author, make_staff, national_unit, settings, tmp_path):
    """A published file of the card, which its first bytes make a PDF and the rest a page."""
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("folheto.pdf", POLYGLOT, content_type="application/pdf")
    attachment = add_attachment(actor=author, item=linha, language="pt", title="Folheto",
                                upload=upload)  # fmt: skip
    publish_attachment(actor=make_staff(Role.CONTENT_EDITOR, national_unit), attachment=attachment)
    return f"/pt/info/linha/files/{attachment.pk}/"


def kept_addresses(page) -> list[str]:
    """Every address kept by the service worker, in any of its caches."""
    return page.evaluate(
        """async () => {
            const found = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) {
                    found.push(new URL(request.url).pathname);
                }
            }
            return found;
        }"""
    )


def runs_inline_script(page) -> bool:
    """Whether the page lets a script written into it run (a policy without 'unsafe-inline'
    blocks it)."""
    return page.evaluate(
        """() => {
            window.ranInline = false;
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true";
            document.head.appendChild(script);
            return window.ranInline;
        }"""
    )


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


def test_a_saved_page_keeps_its_policy_and_a_file_is_never_kept(browser, live_server, leaflet):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/pt/info/linha/")
    wait_until_kept(page, "/pt/info/linha/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The file, downloaded from the card's link and opened by its address, under the worker.
    with page.expect_download() as clicked:
        page.get_by_role("link", name="Folheto").click()
    assert clicked.value.path().read_bytes() == POLYGLOT
    with page.expect_download() as opened:
        page.evaluate("address => { window.location.href = address; }", leaflet)
    assert opened.value.path().read_bytes() == POLYGLOT
    page.reload()  # the card again, which the worker keeps anew
    wait_until_kept(page, "/pt/info/linha/")
    page.wait_for_timeout(500)  # anything the worker would still keep in the background
    assert leaflet not in kept_addresses(page)

    context.set_offline(True)
    saved = page.reload()
    assert saved is not None
    assert saved.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_have_text("Linha de Apoio ao Migrante")
    expect(page.locator("#saved-copy")).to_be_visible()
    # The saved copy is held to the page's own rules.
    headers = saved.headers
    assert headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert not runs_inline_script(page)

    # The file is not answered from the cache: offline, it cannot be had.
    fetched = page.evaluate(
        """async address => {
            try { return (await fetch(address)).status; } catch (error) { return "failed"; }
        }""",
        leaflet,
    )
    assert fetched == "failed"
    with pytest.raises(PlaywrightError):
        page.goto(leaflet)
    assert page.title() != "ran"
    context.close()


def test_a_staff_page_opened_while_logged_in_is_never_kept(browser, live_server, linha, author):
    context = browser.new_context(base_url=live_server.url, locale="pt-PT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/pt/info/linha/")
    wait_until_kept(page, "/pt/info/linha/")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    log_in(page, author)
    page.goto("/staff/content/linha/pt/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("linha")
    page.goto("/staff/content/")
    page.wait_for_timeout(500)
    kept = kept_addresses(page)
    assert "/pt/info/linha/" in kept
    assert not [path for path in kept if path.startswith(("/staff/", "/accounts/"))]

    context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto("/staff/content/linha/pt/")
    context.close()


def test_what_an_older_worker_kept_is_dropped(browser, live_server, linha, leaflet):
    """A copy left by the worker before this one — a file kept as a page — is deleted when
    the new worker takes over, and never served."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/static/coop4int/site.css")  # this site, with no worker yet
    page.evaluate(
        """async ([address, body]) => {
            const old = await caches.open("coop4int-pages-v1");
            await old.put(address, new Response(body, {headers: {"Content-Type": "text/html"}}));
        }""",
        [leaflet, POLYGLOT.decode()],
    )
    page.goto("/pt/info/linha/")
    wait_until_kept(page, "/pt/info/linha/")
    page.wait_for_function(
        "async () => !(await caches.keys()).includes('coop4int-pages-v1')", polling=100
    )
    assert leaflet not in kept_addresses(page)
    context.set_offline(True)
    with pytest.raises(PlaywrightError):
        page.goto(leaflet)
    assert page.title() != "ran"
    context.close()

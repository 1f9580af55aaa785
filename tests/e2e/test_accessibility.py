"""axe-core in Chromium on the base page types, and the weight of a public page."""

import gzip

import pytest
from axe_playwright_python.sync_playwright import Axe

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import log_in_verified
from coop4int.cases.domain.cases import open_case, reply
from coop4int.cases.enums import Channel
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.directory.tests.places import praia_desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("path", ["/pt/", "/kea/", "/en/", "/fr/", "/staff/login/",
                                  "/staff/password-reset/", "/pt/no-such-page/"])  # fmt: skip
def test_public_pages_have_no_serious_accessibility_violation(page, path):
    page.goto(path)
    assert serious_violations(page) == []


def _logged_in_context(browser, live_server, client, user):
    log_in_verified(client, user)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.mark.parametrize(
    "path", ["/staff/", "/staff/audit/", "/staff/units/", "/staff/units/praia/", "/staff/account/"]
)
def test_back_office_pages_have_no_serious_accessibility_violation(
    browser, live_server, client, make_staff, unit, path
):
    context = _logged_in_context(browser, live_server, client, make_staff(Role.ADMINISTRATOR, unit))
    page = context.new_page()
    page.goto(path)
    assert page.locator("main h1").count() == 1
    assert serious_violations(page) == []
    context.close()


def test_public_page_weighs_at_most_50_kb_compressed(page):
    loaded: list[bytes] = []
    page.on("response", lambda response: loaded.append(response.body()))
    page.goto("/pt/", wait_until="networkidle")
    assert len(loaded) >= 2  # the page and its stylesheet at least
    weight = sum(len(gzip.compress(body, compresslevel=6)) for body in loaded)
    assert weight <= 50 * 1024, f"{weight} bytes"


def test_skip_link_moves_focus_to_the_main_content(page):
    page.goto("/pt/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.fixture
def desk(unit):
    return praia_desk(unit, languages=("pt", "fr", "ar"), accessible=True)


@pytest.mark.parametrize("kind", ["list", "filtered", "detail", "leaflet"])
def test_directory_pages_have_no_serious_accessibility_violation(page, desk, kind):
    paths = {
        "list": "/kea/directory/",
        "filtered": "/pt/directory/?language=xx&open_now=on",
        "detail": f"/en/directory/{desk.pk}/",
        "leaflet": f"/fr/directory/leaflet/{desk.service.unit.slug}/",
    }
    page.goto(paths[kind])
    assert serious_violations(page) == []


@pytest.mark.parametrize("kind", ["services", "service", "proposals", "new"])
def test_staff_directory_pages_have_no_serious_accessibility_violation(
    browser, live_server, client, make_staff, unit, desk, kind
):
    context = _logged_in_context(browser, live_server, client, make_staff(Role.ADMINISTRATOR, unit))
    paths = {
        "services": "/staff/directory/?stale=1",
        "service": f"/staff/directory/services/{desk.service_id}/",
        "proposals": "/staff/directory/proposals/",
        "new": "/staff/directory/new/",
    }
    page = context.new_page()
    page.goto(paths[kind])
    assert serious_violations(page) == []
    context.close()


def test_directory_page_weighs_at_most_50_kb_compressed(page, desk):
    loaded: list[bytes] = []
    page.on("response", lambda response: loaded.append(response.body()))
    page.goto(f"/pt/directory/{desk.pk}/", wait_until="networkidle")
    weight = sum(len(gzip.compress(body, compresslevel=6)) for body in loaded)
    assert weight <= 50 * 1024, f"{weight} bytes"


@pytest.fixture
def card(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    body = "## Horário\n\n- 9:00–20:00\n\n[808 257 257](tel:+351808257257)"
    for language, title in (("pt", "Linha de Apoio"), ("ar", "خط الدعم")):
        text = save_text(
            actor=author, item=item, language=language, title=title, summary="", body=body
        )
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text)
    return item


@pytest.mark.parametrize(
    "path",
    [
        "/pt/info/",
        "/kea/info/linha/",
        "/en/info/linha/ar/",
        "/fr/feedback/?page=/fr/",
        "/pt/search/?q=linha",
    ],
)
def test_information_pages_have_no_serious_accessibility_violation(page, card, path):
    page.goto(path)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/staff/content/", "/staff/content/linha/en/", "/staff/feedback/"]
)
def test_staff_information_pages_have_no_serious_accessibility_violation(
    browser, live_server, client, make_staff, national_unit, card, path
):
    context = _logged_in_context(
        browser, live_server, client, make_staff(Role.CONTENT_EDITOR, national_unit)
    )
    page = context.new_page()
    page.goto(path)
    assert serious_violations(page) == []
    context.close()


@pytest.fixture
def tracking_path(make_staff, unit):
    case, secret = open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Visto",
                             body="Comment renouveler mon titre de séjour ?")  # fmt: skip
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    reply(actor=officer, case=case, body="Venez lundi avec votre passeport.", channel=Channel.WEB)
    return f"/fr/follow/{case.reference}/{secret}/"


@pytest.mark.parametrize("kind", ["form", "refused", "sent", "shown-before", "follow"])
def test_request_pages_have_no_serious_accessibility_violation(page, unit, tracking_path, kind):
    if kind == "form":
        page.goto("/kea/ask/")
    elif kind == "refused":  # every field's error shown
        page.goto("/en/ask/")
        page.locator("#id_phone").fill("12ab")
        page.locator("form.request-form button[type=submit]").click()
        page.wait_for_selector("#form-errors")
    elif kind == "sent":
        page.goto("/pt/ask/")
        page.locator("#id_question").fill("Onde fica a AAI?")
        page.locator("#id_consent").check()
        page.locator("form.request-form button[type=submit]").click()
        page.wait_for_selector("#reference")
    elif kind == "shown-before":
        page.goto("/en/ask/sent/")
    else:
        page.goto(tracking_path)
    assert page.locator("main h1").count() == 1
    assert serious_violations(page) == []

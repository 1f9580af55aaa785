"""Browser journeys of the public portal as people meet it on a phone: a phone number read in
order inside Arabic and kept on one line, a fax that is not offered as a call, boxes big enough
to tick, buttons that do not touch, and the feedback form naming the page by its title."""

import re
from itertools import pairwise

import pytest
from playwright.sync_api import Page, expect

from coop4int.accounts.enums import Role
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.demo import content, organisation
from coop4int.directory.tests.places import fax_only, praia_desk, telephone_line
from tests.e2e.steps import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}

# Where each group of digits of the number in a text node is drawn: "808 257 257" is groups
# (0, 3), (4, 7), (8, 11). Measured on the text itself, isolate or not.
GROUP_BOXES = """([root, number]) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.data.includes(number)) {}
    if (!node) { return null; }
    const start = node.data.indexOf(number);
    const groups = [];
    let offset = 0;
    for (const group of number.split(" ")) {
        const range = document.createRange();
        range.setStart(node, start + offset);
        range.setEnd(node, start + offset + group.length);
        const box = range.getBoundingClientRect();
        groups.push({left: box.left, top: box.top});
        offset += group.length + 1;
    }
    const style = getComputedStyle(node.parentElement);
    return {groups, text: node.parentElement.innerText, direction: style.direction,
            unicodeBidi: style.unicodeBidi, whiteSpace: style.whiteSpace};
}"""


def _groups(page: Page, number: str) -> dict:
    article = page.locator("article").element_handle()
    found = page.evaluate(GROUP_BOXES, [article, number])
    assert found is not None, number
    return found


def test_the_arabic_support_line_card_reads_its_numbers_left_to_right(browser, live_server):
    organisation.load()
    content.load()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()

    page.goto(f"/en/info/{content.MIGRANT_SUPPORT_LINE.slug}/ar/")
    expect(page.locator("article")).to_have_attribute("dir", "rtl")

    for number in ("808 257 257", "21 810 61 91"):
        found = _groups(page, number)
        lefts = [group["left"] for group in found["groups"]]
        assert lefts == sorted(lefts), (number, lefts)  # first group leftmost, as written
        assert len({group["top"] for group in found["groups"]}) == 1, number
        assert (found["text"], found["direction"], found["unicodeBidi"]) == (
            number,
            "ltr",
            "isolate",
        )
    context.close()


def _published(item, language, author, reviewer, title, body):
    text = save_text(actor=author, item=item, language=language, title=title, summary="", body=body)
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)


@pytest.fixture
def card(make_staff, national_unit):
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    _published(item, "pt", author, reviewer, "Linha de Apoio ao Migrante",
               "Ligue para o número +351 218 106 191, de segunda a sexta.")  # fmt: skip
    _published(item, "ar", author, reviewer, "خط دعم المهاجرين",
               "اتصل بالرقم +351 218 106 191 من الاثنين إلى الجمعة.")  # fmt: skip
    return item


@pytest.mark.parametrize("language", ["pt", "ar"])
def test_a_phone_number_is_never_broken_across_lines(browser, live_server, card, language):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(f"/pt/info/linha/{language}/")
    # A column narrower than the number: the words around it wrap, the number does not.
    page.locator("article").evaluate("article => { article.style.width = '6ch'; }")

    found = _groups(page, "+351 218 106 191")

    assert len({group["top"] for group in found["groups"]}) == 1
    assert found["whiteSpace"] == "nowrap"
    context.close()


def test_boxes_to_tick_are_at_least_24_px_on_a_phone(browser, live_server, unit):
    praia_desk(unit)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    for path in ("/pt/directory/", "/pt/ask/"):
        page.goto(path)
        boxes = page.locator("main input[type=checkbox], main input[type=radio]")
        assert boxes.count() > 0, path
        for index in range(boxes.count()):
            box = boxes.nth(index).bounding_box()
            assert box is not None
            assert box["width"] >= 24, (path, index, box)
            assert box["height"] >= 24, (path, index, box)
    context.close()


@pytest.mark.parametrize("language", ["pt", "kea", "en", "fr"])
def test_the_home_buttons_do_not_touch_on_a_phone(browser, live_server, language):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(f"/{language}/")
    buttons = page.locator("main a.button")
    # Where to get help, book an appointment, training courses, ask for help.
    expect(buttons).to_have_count(4)
    boxes = [buttons.nth(i).bounding_box() for i in range(4)]
    for first, second in pairwise(boxes):
        assert first is not None
        assert second is not None
        same_row = second["y"] < first["y"] + first["height"]
        if same_row:
            gap = second["x"] - (first["x"] + first["width"])
        else:
            gap = second["y"] - (first["y"] + first["height"])
        assert gap >= 8, (language, first, second)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_a_place_with_only_a_fax_is_called_through_the_support_line(browser, live_server, unit):
    sal = fax_only(praia_desk(unit, name="Balcão só com fax"))
    telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()

    page.goto("/pt/directory/")
    page.get_by_role("link", name="Balcão só com fax").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Balcão só com fax")
    main = page.locator("main")
    expect(main).to_contain_text("+238 260 10 17 (Fax)")
    expect(main.get_by_role("link", name="+238 260 10 17")).to_have_count(0)
    call = main.get_by_role("link", name="+238 800 10 10")
    expect(call).to_have_attribute("href", "tel:+2388001010")
    expect(main).to_contain_text(
        in_language("pt", "To speak to someone, call %(name)s:")
        % {"name": "Linha Nacional de Apoio ao Imigrante"}
    )

    page.goto(f"/pt/directory/leaflet/{sal.service.unit.slug}/")
    expect(page.locator("main").get_by_role("link", name="+238 260 10 17")).to_have_count(0)
    fallback = page.locator("main .leaflet-service").get_by_role("link", name="+238 800 10 10")
    expect(fallback).to_have_attribute("href", "tel:+2388001010")
    # Numbers stay on one line; a longer isolated value (the leaflet's address) still wraps.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto("/pt/")
    expect(page.locator("main").get_by_role("link", name="+238 800 10 10")).to_have_attribute(
        "href", "tel:+2388001010"
    )
    context.close()


def test_feedback_names_the_card_it_is_about_by_its_title(browser, live_server, card):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto("/pt/info/linha/")
    page.get_by_role(
        "link", name=in_language("pt", "Is something missing or wrong on this page?")
    ).click()

    about = in_language("pt", "About the page: %(page)s") % {"page": "Linha de Apoio ao Migrante"}
    expect(page.locator("main")).to_contain_text(about)
    expect(page.locator("main")).not_to_contain_text("/pt/info/linha/")
    page.get_by_label(in_language("pt", "What is missing or wrong?")).fill("Falta o horário.")
    page.get_by_role("button", name=in_language("pt", "Send")).click()
    expect(page).to_have_url(re.compile(r"/pt/info/linha/$"))
    context.close()

"""Browser journeys of the service directory."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.models import Schedule
from coop4int.directory.public_holidays import holidays_between
from coop4int.directory.tests.places import praia_desk
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _place(unit, name, languages, always_open):
    sal = praia_desk(unit, name=name, languages=languages, accessible=True)
    schedules = Schedule.objects.filter(location=sal.location)
    if always_open:
        schedules.update(byday="", opens_at=time(0), closes_at=time(0))  # every day, all day
    else:
        schedules.delete()  # no hours: never open
    refresh_entries(service_ids=[sal.service_id])
    return sal


@pytest.fixture
def three_places(unit):
    open_fr = _place(unit, "Balcão aberto francófono", ("pt", "fr"), always_open=True)
    _place(unit, "Balcão fechado francófono", ("pt", "fr"), always_open=False)
    _place(unit, "Balcão aberto anglófono", ("pt", "en"), always_open=True)
    today = timezone.localdate()
    # On a public holiday nothing is open: the expectation says so instead of failing.
    holiday = today in holidays_between(open_fr.location, today, today)
    return [] if holiday else ["Balcão aberto francófono"]


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_find_a_unit_open_now_that_speaks_french_on_a_phone(
    browser, live_server, three_places, language
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    page = context.new_page()
    t = lambda message: in_language(language, message)  # noqa: E731

    page.goto(f"/{language}/")
    page.get_by_role("link", name=t("Where to get help")).first.click()
    page.get_by_label(t("Language spoken")).select_option("fr")
    page.get_by_label(t("Open now")).check()
    page.get_by_role("button", name=t("Show services")).click()

    expect(page).to_have_url(re.compile(rf"/{language}/directory/\?.*open_now=on"))
    results = page.locator("ul.results > li.result h2")
    expect(results).to_have_text(three_places)
    if three_places:
        expect(page.locator("li.result .badge-open")).to_have_text(t("Open now"))
        page.get_by_role("link", name="Balcão aberto francófono").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Balcão aberto francófono")
        expect(page.locator("tr.today")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_editor_changes_hours_from_a_date_and_the_public_page_follows(page, make_staff, unit):
    sal = praia_desk(unit, name="Balcão de Praia")
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    log_in(page, editor)
    t = lambda message: in_language("pt", message)  # noqa: E731
    start = timezone.localdate() + timedelta(days=2)

    page.goto(f"/staff/directory/services/{sal.service_id}/")
    page.get_by_label(t("These hours apply from")).fill(start.isoformat())
    for code in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
        page.locator(f"#id_{code}_0_opens").fill("10:00")
        page.locator(f"#id_{code}_0_closes").fill("11:30")
        page.locator(f"#id_{code}_1_opens").fill("")
        page.locator(f"#id_{code}_1_closes").fill("")
    page.get_by_role("button", name=t("Save the new hours")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The new hours were saved."))
    # Back at the hours, not at the top of a long page: their heading is focused and in sight,
    # the confirmation under it, and the hours on record are the new ones.
    expect(page).to_have_url(re.compile(rf"/staff/directory/services/{sal.service_id}/#hours$"))
    hours = page.locator("#hours")
    expect(hours).to_be_focused()
    expect(hours).to_be_in_viewport()
    expect(page.locator("#hours-said")).to_have_text(t("The new hours were saved."))
    expect(hours).to_have_attribute("aria-describedby", "hours-said")
    expect(page.locator("table.current-hours tbody")).to_contain_text("10:00–11:30")
    expect(page.locator("table.current-hours tbody")).not_to_contain_text("08:00")

    page.goto(f"/pt/directory/{sal.pk}/")
    rows = page.locator("table.week tbody tr")
    today = timezone.localdate()
    holidays = holidays_between(sal.location, today, start)
    expect(rows.nth(0)).not_to_contain_text("10:00–11:30")
    if start not in holidays:
        expect(rows.nth(2)).to_contain_text("10:00–11:30")


def test_partner_proposal_is_approved_by_an_editor(browser, live_server, make_staff, unit):
    sal = praia_desk(unit, name="Centro de Saúde", walk_in=False)
    partner = make_staff(Role.PARTNER_USER, unit)
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    t = lambda message: in_language("pt", message)  # noqa: E731

    partner_page = browser.new_context(base_url=live_server.url, locale="pt-PT").new_page()
    log_in(partner_page, partner)
    partner_page.get_by_role("link", name=t("Service directory")).click()
    partner_page.get_by_role("link", name="Centro de Saúde").click()
    partner_page.locator("#id_name").fill("Centro de Saúde da Achada")
    partner_page.get_by_label(t("Walk-in, no appointment")).check()
    partner_page.get_by_role("button", name=t("Send the proposal")).click()
    expect(partner_page.get_by_role("status")).to_contain_text(
        t("Your proposal was sent to the editors.")
    )

    editor_page = browser.new_context(base_url=live_server.url, locale="pt-PT").new_page()
    log_in(editor_page, editor)
    editor_page.goto("/staff/directory/proposals/")
    editor_page.get_by_role("link", name="Centro de Saúde").click()
    diff = editor_page.locator("table.diff")
    expect(diff).to_contain_text("Centro de Saúde da Achada")
    expect(diff.locator("del").first).to_have_text("Centro de Saúde")
    assert serious_violations(editor_page) == []
    editor_page.get_by_role("button", name=t("Approve and apply")).click()
    expect(editor_page.get_by_role("status")).to_contain_text(
        t("The proposal was approved and applied.")
    )

    editor_page.goto(f"/pt/directory/{sal.pk}/")
    expect(editor_page.get_by_role("heading", level=1)).to_have_text("Centro de Saúde da Achada")
    expect(editor_page.get_by_text(t("Walk-in, no appointment"))).to_be_visible()

"""Browser journeys of the pages with several actions: the case page (each action returns to
its own section, the timeline tells what was done, the satisfaction buttons say what they do,
a reply is offered only where it can go), the partner's referral page (who referred, under
which case, and the partner's own note), the person page and the phone line; the statistics
counting closed as resolved or closed; the demo's second editor publishing."""

import re
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation
from freezegun import freeze_time
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.accounts.tests.factories import current_totp
from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import change_status, open_case
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.enums import Channel, Status
from coop4int.content.enums import TranslationStatus
from coop4int.content.models import Translation
from coop4int.demo.organisation import DEMO_PASSWORD
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CV = ZoneInfo("Atlantic/Cape_Verde")


def t(message: str) -> str:
    return in_language("pt", message)


def case_status(message: str) -> str:
    with translation.override("pt"):
        return translation.pgettext("case", message)


def session(browser: Browser, live_server, user) -> Page:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="pt-PT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user)
    return page


def test_each_action_on_the_case_page_returns_to_its_section_and_shows_on_the_timeline(
    page, make_staff, unit
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    # An anonymous question at the desk: no address, no phone.
    case, _secret = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN,
                              subject="Horário", body="A que horas abre?")  # fmt: skip
    log_in(page, officer)
    page.goto(f"/staff/cases/{case.reference}/")

    # A reply can only be recorded as said: at the desk or on the phone, no e-mail.
    reply_channels = page.locator("#id_reply-channel option")
    expect(reply_channels).to_have_count(2)
    expect(page.locator("#id_reply-channel")).to_have_value("walk_in")

    page.locator("#id_status-status").select_option("resolved")
    page.get_by_role("button", name=t("Change the status")).click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.reference}/#status$"))
    expect(page.locator("#status")).to_be_focused()
    expect(page.locator("#status-said")).to_have_text(t("The status was changed."))
    expect(page.locator("dl.facts dd").first).to_have_text(case_status("Resolved"))
    expect(page.locator(".timeline li.event").last).to_contain_text(
        t("The status changed from “%(old)s” to “%(new)s”.")
        % {"old": case_status("New"), "new": case_status("Resolved")}
    )

    # The satisfaction buttons say what they do.
    record_4 = page.get_by_role(
        "button", name=t("Record the answer: %(score)s of 5") % {"score": 4}
    )
    expect(record_4).to_have_text("4")
    record_4.click()
    expect(page).to_have_url(re.compile(r"#satisfaction$"))
    expect(page.locator("#satisfaction")).to_be_focused()
    expect(page.locator("#satisfaction-said")).to_have_text(t("The person's answer was recorded."))
    expect(page.locator(".timeline li.event").last).to_contain_text(
        t("The person's answer to the satisfaction question was recorded: %(score)s of 5.")
        % {"score": 4}
    )

    # A note without text: the page comes back at the note, with the problem in its form.
    page.get_by_role("button", name=t("Add the note")).click()
    expect(page).to_have_url(re.compile(r"#note$"))
    expect(page.locator("#note")).to_be_focused()
    expect(page.locator("section[aria-labelledby=note] [role=alert]")).to_be_in_viewport()
    # Tab goes on from the section the page opened on: to the note's text.
    page.keyboard.press("Tab")
    expect(page.get_by_label(t("Internal note (never shown to the person)"))).to_be_focused()
    page.get_by_label(t("Internal note (never shown to the person)")).fill("Voltar a ligar.")
    page.get_by_role("button", name=t("Add the note")).click()
    expect(page.locator("#note-said")).to_have_text(t("The note was added."))
    expect(page.locator(".timeline")).to_contain_text("Voltar a ligar.")
    assert serious_violations(page) == []


def test_the_partner_sees_who_referred_and_the_officer_reads_the_answers_on_the_timeline(
    browser, live_server, make_staff, unit, partner_unit
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    nurse = make_staff(Role.PARTNER_USER, partner_unit, language="pt")
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
    )  # fmt: skip
    give_consent(actor=officer, person=person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case, _secret = open_case(actor=officer, unit=unit, channel=Channel.WALK_IN,
                              subject="Vacinação", person=person)  # fmt: skip
    service = Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    referral = refer_case(actor=officer, case=case, service=service,
                          summary="Precisa da vacina.", share_phone=False)  # fmt: skip

    partner = session(browser, live_server, nurse)
    partner.get_by_role("link", name=t("Referrals received")).click()
    row = partner.get_by_role("row", name=re.compile("Aminata Diallo"))
    expect(row).to_contain_text(unit.name)
    row.get_by_role("link").click()
    expect(partner.locator("#referring-unit")).to_have_text(unit.name)
    expect(partner.locator("#case-reference")).to_have_text(case.reference)
    partner.get_by_role("button", name=t("Accept")).click()
    expect(partner).to_have_url(re.compile(rf"/staff/referrals/{referral.pk}/#answer$"))
    expect(partner.locator("#answer")).to_be_focused()
    expect(partner.locator("#answer-said")).to_have_text(t("You accepted the referral."))
    partner.locator("#id_outcome").select_option("served")
    note = "Vacinada; volta dentro de 10 anos."
    partner.get_by_label(t("Note for the referring unit")).fill(note)
    partner.get_by_role("button", name=t("Record the outcome")).click()
    expect(partner.locator("#answer-said")).to_have_text(t("The outcome was recorded."))
    expect(partner.locator("#outcome-note")).to_have_text(note)
    assert serious_violations(partner) == []
    partner.context.close()

    desk = session(browser, live_server, officer)
    desk.goto(f"/staff/cases/{case.reference}/")
    timeline = desk.locator(".timeline")
    names = {"partner": partner_unit.name, "service": service.name}
    expect(timeline).to_contain_text(t("%(partner)s accepted the referral to %(service)s.") % names)
    with translation.override("pt"):
        served = translation.gettext("The person was served")
    expect(timeline).to_contain_text(
        t("%(partner)s recorded the outcome of the referral to %(service)s: %(outcome)s.")
        % (names | {"outcome": served})
    )
    expect(desk.locator("[aria-labelledby=referrals] ul")).to_contain_text("Vacinada; volta dentro")
    desk.context.close()


def test_person_page_and_phone_line_return_to_the_section_of_the_action(page, make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    person = register_person(
        actor=officer, unit=unit, details=PersonDetails(given_names="Mariama"),
        phones=["+2389912345"],
    )  # fmt: skip
    case, _secret = open_case(actor=officer, unit=unit, channel=Channel.PHONE, subject="Casa",
                              person=person)  # fmt: skip
    schedule_callback(actor=officer, case=case, phone="+2389912345", due_at=case.opened_at)
    log_in(page, officer)

    page.goto(f"/staff/people/{person.pk}/")
    page.get_by_text(t("Record or withdraw consent")).click()
    page.get_by_label(t("Purpose")).select_option("contact")
    page.locator("#id_consent-method").select_option("verbal")
    page.get_by_role("button", name=t("Record the consent")).click()
    expect(page).to_have_url(re.compile(r"#consent$"))
    expect(page.locator("#consent")).to_be_focused()
    expect(page.locator("#consent-said")).to_have_text(t("The consent was recorded."))

    page.goto("/staff/cases/phone/")
    callbacks = page.locator("section[aria-labelledby=callbacks]")
    expect(callbacks).to_contain_text(case.reference)
    callbacks.get_by_role("button", name=t("Done")).click()
    expect(page).to_have_url(re.compile(r"/staff/cases/phone/#callbacks$"))
    expect(page.locator("#callbacks")).to_be_focused()
    expect(page.locator("#callbacks-said")).to_have_text(t("The call-back is marked as made."))
    expect(callbacks).not_to_contain_text(case.reference)


def test_statistics_count_resolved_and_closed_cases_as_closed_beside_the_median(
    page, make_staff, unit
):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language="pt")
    # March 2025: five people who agreed to statistics, their cases resolved the next day —
    # two of them closed at once, three only resolved.
    for n in range(5):
        person = register_person(actor=coordinator, unit=unit,
                                 details=PersonDetails(given_names=f"P{n}"))  # fmt: skip
        give_consent(actor=coordinator, person=person, purpose=Purpose.STATISTICS,
                     method=ConsentMethod.IN_PERSON)  # fmt: skip
        opened = datetime(2025, 3, 3 + n, 10, tzinfo=CV)
        case, _secret = open_case(actor=coordinator, unit=unit, channel=Channel.WALK_IN,
                                  subject=f"Pedido {n}", person=person, at=opened)  # fmt: skip
        with freeze_time(opened + timedelta(hours=24)):
            change_status(actor=coordinator, case=case,
                          status=Status.CLOSED if n < 2 else Status.RESOLVED)  # fmt: skip
    log_in(page, coordinator)
    page.goto("/staff/cases/statistics/?start=2025-03-01&end=2025-03-31")
    summary = page.get_by_role("table", name=t("In brief"))
    expect(summary.get_by_role("row", name=t("Cases resolved or closed"))).to_contain_text("5")
    expect(summary.get_by_role("row", name=t("Median time to resolution"))).to_contain_text("24")


def test_the_demos_second_editor_publishes_what_the_first_one_wrote(page):
    call_command("load_demo", stdout=StringIO())
    in_review = Translation.objects.filter(status=TranslationStatus.IN_REVIEW).select_related(
        "item", "last_edited_by"
    )
    text = next(x for x in in_review if x.last_edited_by.username == "editor")
    editora = User.objects.get(username="editora")
    page.goto("/staff/")
    page.get_by_label(t("User name")).fill("editora")
    page.get_by_label(t("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t("Continue")).click()
    page.get_by_label(t("Code")).fill(current_totp(editora))
    page.get_by_role("button", name=t("Log in")).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    page.goto(f"/staff/content/{text.item.slug}/{text.language}/")
    page.get_by_role("button", name=t("Publish")).click()
    expect(page.locator(".message-success")).to_be_visible()
    text.refresh_from_db()
    assert text.status == TranslationStatus.PUBLISHED

"""Every staff page on a phone (390 px wide), with real objects: axe-core finds no serious
violation, and the page does not scroll sideways.

The pages are those of the access matrix (``backoffice/tests/test_access_matrix.py``): a staff
URL added there is walked here too. One browser context per role walks every page the role may
open, so the whole walk costs one database set-up per role."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import log_in_verified
from coop4int.backoffice.tests.access_matrix_observatory import ObservatoryObjects
from coop4int.backoffice.tests.access_matrix_plan_objects import PlanObjects
from coop4int.backoffice.tests.access_matrix_training import TrainingObjects
from coop4int.backoffice.tests.test_access_matrix import MATRIX, AppointmentObjects, _url
from coop4int.cases.domain.cases import open_case, reply
from coop4int.cases.enums import Channel
from coop4int.cases.models import Referral
from coop4int.content.domain.workflow import create_item, save_text
from coop4int.content.enums import ItemKind
from coop4int.content.models import Feedback
from coop4int.directory.models import ChangeProposal
from coop4int.directory.tests.places import praia_desk
from coop4int.people.domain.people import PersonDetails, register_person
from tests.e2e.steps import in_language
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Long unbroken values, as real records have them: they must wrap, not widen the page.
LONG_EMAIL = "maria.aparecida.fernandes.dos.santos.atendimento@associacao-imigrantes.example.cv"
# Downloads are not pages; a POST-only row has no page to look at.
NOT_PAGES = {
    "backoffice:case_file",
    "backoffice:content_file",
    "backoffice:privacy_access_json",
    "backoffice:privacy_access_zip",
    "backoffice:privacy_register_csv",
    "backoffice:training_certificate_pdf",
    "backoffice:training_statistics_csv",
    "backoffice:plan_export",
}
# The elements that reach past the window's edge, innermost first: what to fix.
TOO_WIDE = """() => [...document.querySelectorAll("main *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .reverse().slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))"""


@pytest.fixture
def objects(unit, national_unit, make_staff, settings, tmp_path):
    """The objects the matrix's URLs name, filled in the way real ones are."""
    settings.MEDIA_ROOT = tmp_path
    colleague = make_staff(
        Role.FRONT_OFFICE_OFFICER, unit, username="colleague", email=LONG_EMAIL,
        first_name="Maria Aparecida", last_name="Fernandes dos Santos",
    )  # fmt: skip
    person = register_person(
        actor=colleague, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo Konaté",
                              nationalities=("SN", "CV"), languages=("fr", "wo", "pt")),
        phones=["+2389912345"], emails=[LONG_EMAIL],
    )  # fmt: skip
    case, _secret = open_case(
        actor=colleague, unit=unit, channel=Channel.WALK_IN, person=person,
        subject="Renovação da autorização de residência", body="Precisa de ajuda.",
        assign_to=colleague,
    )  # fmt: skip
    attached = reply(
        actor=colleague, case=case, body="Ficha", channel=Channel.WALK_IN,
        files=[SimpleUploadedFile("ficha.pdf", b"%PDF-1.4 ficha", "application/pdf")],
    ).files.get()  # fmt: skip
    desk = praia_desk(unit, languages=("pt", "fr"), accessible=True)
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(
        actor=author, slug="autorizacao-de-residencia", kind=ItemKind.GUIDE,
        source_language="pt", title="Autorização de residência",
    )  # fmt: skip
    save_text(actor=author, item=item, language="fr", title="Titre de séjour", summary="",
              body="Texte")  # fmt: skip
    proposal = ChangeProposal.objects.create(
        service=desk.service, proposed_by=colleague, changes={"name": "Balcão"},
        original={"name": desk.service.name},
    )  # fmt: skip
    feedback = Feedback.objects.create(
        page="/pt/info/autorizacao-de-residencia/", language="pt", message="Falta o endereço.",
        contact_email=LONG_EMAIL,
    )  # fmt: skip
    now = timezone.now()
    referral = Referral.objects.create(
        case=case, service=desk.service, partner=unit, sent_by=colleague, sent_at=now,
        answer_due_at=now + timedelta(days=3),
        shared={"name": "Aminata Diallo Konaté", "summary": "Renovação", "email": LONG_EMAIL},
    )  # fmt: skip
    # A bookable desk with an appointment to come and a ticket waiting, made now (the
    # pages read the clock).
    appointments = AppointmentObjects(unit, colleague, now)
    assert appointments.booking.reference
    assert appointments.ticket.number
    return {
        "unit": unit,
        "colleague": colleague,
        "appointments": appointments,
        "service": desk.service,
        "proposal": proposal,
        "item": item,
        "feedback": feedback,
        "case": case,
        "person": person,
        "case_file": attached,
        "referral": referral,
        "training": TrainingObjects(unit, now, colleague).made(),
        "observatory": ObservatoryObjects().made(),
        "localplans": PlanObjects(unit).made(),
    }


def _phone_page(browser, live_server, client, user):
    """A phone logged in as ``user``, reading Portuguese."""
    log_in_verified(client, user)
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="pt-PT")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def t(message: str) -> str:
    return in_language("pt", message)


def _pages(role: Role) -> list[str]:
    return [
        name
        for name, (method, allowed, _scoped) in MATRIX.items()
        if method == "get" and role in allowed and name not in NOT_PAGES
    ]


def test_the_walk_covers_every_page_an_administrator_may_open():
    pages = {name for name, (method, _a, _s) in MATRIX.items() if method == "get"}
    assert pages - NOT_PAGES == set(_pages(Role.ADMINISTRATOR))


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.FRONT_OFFICE_OFFICER])
def test_every_staff_page_on_a_phone_is_accessible_and_does_not_scroll_sideways(
    browser, live_server, client, make_staff, unit, objects, role
):
    context, page = _phone_page(browser, live_server, client, make_staff(role, unit))
    problems: list[str] = []
    for name in _pages(role):
        path = _url(name, objects)
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, f"{name}: {path}"
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            culprits = page.evaluate(TOO_WIDE)
            problems.append(f"{name}: {width[0]} px wide in a {width[1]} px window: {culprits}")
        problems += [f"{name}: {violation}" for violation in serious_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)


# --- What a person does on these pages on a phone ------------------------------------------


def _inside_the_window(box) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_the_inbox_on_a_phone_shows_status_due_date_and_assignee_under_the_subject(
    browser, live_server, client, make_staff, unit
):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, first_name="Maria",
                         last_name="Fernandes dos Santos")  # fmt: skip
    open_case(actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto",
              assign_to=officer)  # fmt: skip
    context, page = _phone_page(browser, live_server, client, officer)

    page.goto("/staff/cases/?view=unit")

    row = page.locator("table.inbox tbody tr").first
    stacked = row.locator("dl.stacked")
    for label in ("Person", "Status", "Reply due", "Assigned to"):
        expect(stacked.get_by_text(t(label), exact=True)).to_be_visible()
    assignee = stacked.get_by_text("Maria Fernandes dos Santos")
    expect(assignee).to_be_visible()
    assert _inside_the_window(assignee.bounding_box())
    assert _inside_the_window(row.locator("dl.stacked dd").nth(2).bounding_box())  # reply due
    # On a wide screen they are columns again, said once.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(stacked).to_be_hidden()
    expect(row.locator("td.wide").last).to_have_text("Maria Fernandes dos Santos")
    context.close()


def test_the_links_beside_the_inbox_button_are_targets_of_at_least_24_px(
    browser, live_server, client, make_staff, unit
):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit)
    context, page = _phone_page(browser, live_server, client, coordinator)
    page.goto("/staff/cases/")
    for name in ("Canned answers", "Phone line"):
        link = page.get_by_role("link", name=t(name), exact=True)
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= 24, f"{name}: {box['height']} px"
    context.close()


def test_a_wide_table_is_reached_and_scrolled_with_the_keyboard(
    browser, live_server, client, make_staff, unit
):
    administrator = make_staff(Role.ADMINISTRATOR, unit)
    context, page = _phone_page(browser, live_server, client, administrator)
    page.goto("/staff/audit/")
    region = page.get_by_role("region", name=in_language("pt", "Audit entries, newest first"))
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")  # it is wider than a phone
    for _press in range(60):  # from the top of the page, through the filters, to the table
        page.keyboard.press("Tab")
        if region.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the audit table cannot be reached with the Tab key")
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")
    expect(region).not_to_have_js_property("scrollLeft", 0)
    context.close()


def test_after_saving_new_hours_the_editor_is_back_at_the_hours_with_its_heading_focused(
    browser, live_server, client, make_staff, unit
):
    desk = praia_desk(unit, name="Balcão de Praia")
    editor = make_staff(Role.CONTENT_EDITOR, unit)
    context, page = _phone_page(browser, live_server, client, editor)
    start = timezone.localdate() + timedelta(days=9)

    page.goto(f"/staff/directory/services/{desk.service_id}/")
    page.get_by_label(t("These hours apply from")).fill(start.isoformat())
    page.locator("#id_MO_0_opens").fill("10:00")
    page.locator("#id_MO_0_closes").fill("11:30")
    page.get_by_role("button", name=t("Save the new hours")).click()

    expect(page).to_have_url(re.compile(r"#hours$"))
    heading = page.get_by_role("heading", name=t("Opening hours"))
    expect(heading).to_be_focused()
    expect(page.get_by_role("status")).to_have_text(t("The new hours were saved."))
    expect(page.get_by_role("status")).to_be_in_viewport()
    # The new hours are the current ones, and the form starts from them.
    expect(page.locator("table.current-hours tbody")).to_contain_text("10:00–11:30")
    expect(page.locator("#id_MO_0_opens")).to_have_value("10:00")
    context.close()


def test_the_editors_page_of_a_service_fits_in_a_few_screens(
    browser, live_server, client, make_staff, unit
):
    desk = praia_desk(unit)
    context, page = _phone_page(browser, live_server, client, make_staff(Role.CONTENT_EDITOR, unit))
    page.goto(f"/staff/directory/services/{desk.service_id}/")
    heights = {}
    for width in (1280, PHONE["width"]):
        page.set_viewport_size({"width": width, "height": 800})
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
    # It was 6,300 px on a laptop and 9,400 px on a phone.
    assert heights[1280] <= 4000, heights
    assert heights[PHONE["width"]] <= 7000, heights
    context.close()

"""Browser journeys of training: a visitor applies in Kabuverdianu on a small phone with
JavaScript off; the coordinator confirms whose record it is and accepts; on each day of the
session the trainer takes attendance on a phone, then records a passed assessment and marks
the course completed; the certificate's PDF is downloaded, its QR code read, and the address it
gives says "valid" — until the coordinator revokes the certificate and it says "revoked", with
the date. The public pages of training and of verification pass axe-core and fit a phone."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import time_machine
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from coop4int.accounts.enums import Role
from coop4int.core.formatting import format_date
from coop4int.learning.credentials.badge import verify_page_url
from coop4int.learning.domain.certificates import revoke_certificate
from coop4int.learning.enums import EnrolmentChannel, EnrolmentStatus, RevocationReason
from coop4int.learning.models import Certificate, Course, CourseSession, Enrolment
from coop4int.learning.tests.credential_fixtures import SEED_A, issued, use_keys
from coop4int.learning.tests.factories import (
    NOW,
    CourseFactory,
    CourseSessionFactory,
    at,
    mornings,
    publish_text,
)
from coop4int.learning.tests.gateway import use_fake_gateway
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TITLE_PT = "Português para o trabalho"
TITLE_KEA = "Purtugês pa trabadju"
SUMMARY_KEA = "Kursu di purtugês pa kenha ki ta trabadja na Kabu Verdi."


def kea(message: str) -> str:
    return in_language("kea", message)


def pt(message: str) -> str:
    return in_language("pt", message)


def pt_in(context: str, message: str) -> str:
    """``message`` of ``context`` (``pgettext``) as the Portuguese staff pages show it."""
    with translation.override("pt"):
        return translation.pgettext(context, message)


# The elements that reach past the right edge of the screen, to say which when one does.
BEYOND_THE_EDGE = """width => [...document.querySelectorAll("body *")]
    .filter(element => element.getBoundingClientRect().right > width + 1)
    .slice(0, 8)
    .map(element => `${element.tagName.toLowerCase()}#${element.id}.${element.className}: `
                    + (element.textContent || "").trim().slice(0, 60))"""


def _fits_the_screen(page: Page) -> None:
    """No sideways scrolling at the phone's width (read by the test's own script; the page
    runs none), once the page and its stylesheet have loaded."""
    page.wait_for_load_state("load")
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        raise AssertionError(f"{page.url}: {page.evaluate(BEYOND_THE_EDGE, PHONE['width'])}")


def _violations(page: Page) -> list[str]:
    """Every axe-core violation of the page, whatever its impact."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _visitor(browser: Browser, base_url: str, *, javascript: bool = False) -> Page:
    """A phone whose reader asks for Kabuverdianu, with JavaScript off unless told (axe-core
    is a script)."""
    context = browser.new_context(
        base_url=base_url, java_script_enabled=javascript, viewport=PHONE, locale="kea-CV"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _staff(browser: Browser, base_url: str, user: object) -> Page:
    """A member of staff logged in (both factors) on a phone."""
    context = browser.new_context(base_url=base_url, viewport=PHONE, locale="pt-PT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user)
    return page


def _course(unit: object, trainer: object) -> tuple[Course, CourseSession]:
    """ "Portuguese for work", published in Portuguese and Kabuverdianu, with one session in
    Kabuverdianu on three mornings from Monday 9 March, given by ``trainer``."""
    course = CourseFactory(
        unit=unit, slug="purtuges-pa-trabadju", title=TITLE_PT, languages=["pt", "kea"]
    )
    publish_text(course.description, language="kea", title=TITLE_KEA, summary=SUMMARY_KEA,
                 body="## Kuzê ki bu ta prende\n\nFala ku klienti y ku kolega.")  # fmt: skip
    session = CourseSessionFactory(
        course=course, language="kea", trainer=trainer, days=mornings(at(9, 9), 3)
    )
    return course, session


def _take_attendance(page: Page, session: CourseSession, number: int, name: str) -> None:
    """The trainer, from their sessions, marks ``name`` present on day ``number``."""
    page.get_by_role("link", name=pt("Training"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pt("Sessions I teach"))
    page.locator(f"#session-{session.pk} .page-links a").nth(number - 1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(pt("Attendance"))
    expect(page.locator("#day")).to_contain_text(
        pt("Day %(number)s of %(count)s") % {"number": number, "count": 3}
    )
    present = page.get_by_role("group", name=name).get_by_label(
        pt_in("attendance", "Present"), exact=True
    )
    present.check()
    _fits_the_screen(page)
    if number == 1:
        assert _violations(page) == []
    page.get_by_role("button", name=pt("Save the attendance")).click()
    with translation.override("pt"):
        saved = translation.ngettext(
            "Attendance saved for %(count)d participant.",
            "Attendance saved for %(count)d participants.",
            1,
        ) % {"count": 1}
    expect(page.locator(".message-success")).to_have_text(saved)
    expect(present).to_be_checked()  # as recorded, after the redirect


def _open_enrolment(page: Page, session: CourseSession, enrolment: Enrolment) -> None:
    page.goto(f"/staff/training/sessions/{session.pk}/")
    page.locator(f"#enrolment-{enrolment.pk}").get_by_role("link", name=enrolment.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(enrolment.name)


def _qr_addresses(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        assert len(document) == 1
        text = document[0].get_textpage().get_text_range()
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    assert "Aminata Djaló" in " ".join(text.split())
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_apply_in_kabuverdianu_be_accepted_attend_complete_and_verify_the_certificate(
    browser, live_server, settings, monkeypatch, make_staff, unit, tmp_path: Path
):
    use_keys(settings, SEED_A)
    sms = use_fake_gateway(settings, monkeypatch)
    with time_machine.travel(NOW, tick=True) as clock:
        coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language="pt",
                                 first_name="Carla", last_name="Semedo")  # fmt: skip
        trainer = make_staff(Role.TRAINER, unit, language="pt",
                             first_name="Tomás", last_name="Fortes")  # fmt: skip
        course, session = _course(unit, trainer)

        # The visitor finds the course in the catalogue, in Kabuverdianu, and applies.
        visitor = _visitor(browser, live_server.url)
        visitor.goto("/kea/training/")
        expect(visitor.get_by_role("heading", level=1)).to_have_text(kea("Training courses"))
        _fits_the_screen(visitor)
        visitor.get_by_role("link", name=TITLE_KEA, exact=True).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE_KEA)
        expect(visitor.locator("main")).to_contain_text(SUMMARY_KEA)
        _fits_the_screen(visitor)
        visitor.get_by_role("link", name=kea("Apply for this session")).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(kea("Apply for a course"))
        expect(visitor.locator("input[name=session]:checked")).to_have_value(str(session.pk))
        _fits_the_screen(visitor)
        visitor.get_by_label(kea("Your name")).fill("Aminata Djaló")
        visitor.get_by_label(kea("Your phone number")).fill("991 23 45")
        visitor.get_by_label(kea("SMS"), exact=True).check()
        language = visitor.get_by_label(kea("Language of our messages"))
        expect(language).to_have_value("kea")
        language.select_option("kea")
        visitor.get_by_role("button", name=kea("Send my application")).click()
        expect(visitor).to_have_url(re.compile(rf"/kea/training/{course.slug}/applied/$"))
        expect(visitor.get_by_role("heading", level=1)).to_have_text(
            kea("Your application was sent")
        )
        expect(visitor.locator("main")).to_contain_text(
            kea("We will tell you by SMS whether you have a place.")
        )
        _fits_the_screen(visitor)
        enrolment = Enrolment.objects.get(session=session)
        assert (enrolment.status, enrolment.channel, enrolment.person) == (
            EnrolmentStatus.APPLIED,
            EnrolmentChannel.PUBLIC_FORM,
            None,
        )
        assert (enrolment.name, enrolment.phone, enrolment.language, enrolment.notify_by) == (
            "Aminata Djaló",
            "+2389912345",
            "kea",
            "sms",
        )

        # The coordinator opens the session, confirms whose record it is, and accepts.
        office = _staff(browser, live_server.url, coordinator)
        office.get_by_role("link", name=pt("Training"), exact=True).click()
        office.get_by_role("link", name=TITLE_PT, exact=True).click()
        office.locator(f"#session-{session.pk}").get_by_role("link").first.click()
        expect(office.locator("#applied")).to_contain_text("Aminata Djaló")
        office.locator("#applied").get_by_role(
            "link", name=pt("Confirm whose record it is and decide")
        ).click()
        expect(office.get_by_role("heading", level=1)).to_have_text("Aminata Djaló")
        decision = office.locator("form").filter(has=office.locator("input[value=decide]"))
        decision.get_by_label(pt("Accept"), exact=True).check()
        if office.locator("#no-match").count():
            decision.get_by_label(pt("Register a new record with the details below")).check()
            decision.get_by_label(pt("Given names")).fill("Aminata")
            decision.get_by_label(pt("Family names")).fill("Djaló")
            expect(decision.get_by_label(pt("Preferred language"))).to_have_value("kea")
        else:
            decision.get_by_role("radio", name=re.compile("Aminata Djaló")).first.check()
        _fits_the_screen(office)
        decision.get_by_role("button", name=pt("Save the decision")).click()
        expect(office.locator("#status-now")).to_have_text(pt("Accepted"))
        expect(office.locator("#linked-person")).to_have_text("Aminata Djaló")
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ACCEPTED
        assert enrolment.person is not None
        assert enrolment.person.preferred_language == "kea"
        office.context.close()
        # Told by SMS, at the number given: received, then accepted.
        assert [message["to"] for message in sms.sent] == ["+2389912345", "+2389912345"]
        assert TITLE_KEA in sms.sent[-1]["body"]

        # Each morning of the session, the trainer takes attendance on a phone (on the last
        # one, before its end).
        for number, moment in ((1, at(9, 9, 20)), (2, at(10, 9, 20)), (3, at(11, 11, 30))):
            clock.move_to(moment)
            teaching = _staff(browser, live_server.url, trainer)
            _take_attendance(teaching, session, number, "Aminata Djaló")
            if number < 3:
                teaching.context.close()

        # Then a passed assessment, and the course completed.
        _open_enrolment(teaching, session, enrolment)
        teaching.locator("summary", has_text=pt("Record an assessment")).click()
        assessment = teaching.locator("form").filter(has=teaching.locator("input[value=assess]"))
        assessment.get_by_label(pt_in("assessment", "Passed"), exact=True).check()
        assessment.get_by_label(pt("Score (optional)")).fill("17")
        assessment.get_by_role("button", name=pt("Record the assessment")).click()
        expect(teaching.locator("#assessments")).to_contain_text(pt_in("assessment", "Passed"))
        expect(teaching.locator("#progress-facts")).to_contain_text(pt("enough to complete"))
        teaching.get_by_role("button", name=pt("Mark completed")).click()
        expect(teaching.locator("#status-now")).to_have_text(pt("Completed"))
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert certificate.language == "kea"
        expect(teaching.locator("#certificate-id")).to_have_text(certificate.pk)
        _fits_the_screen(teaching)
        address = verify_page_url(certificate.pk, "kea")
        assert address in sms.sent[-1]["body"]

        # The PDF, and the address its QR code gives.
        with teaching.expect_download() as download_info:
            teaching.get_by_role("link", name=pt("Download the certificate (PDF)")).click()
        pdf = tmp_path / "certificate.pdf"
        download_info.value.save_as(pdf)
        teaching.context.close()
        assert pdf.read_bytes().startswith(b"%PDF-")
        (scanned,) = _qr_addresses(pdf)
        assert scanned == address
        path = urlsplit(scanned).path
        assert path == f"/kea/verify/{certificate.pk}/"

        # Whoever scans it sees a valid certificate, in the certificate's language.
        clock.move_to(at(12, 10))
        visitor.goto(path)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(kea("Valid certificate"))
        facts = visitor.locator("main dl.facts")
        expect(facts).to_contain_text("Aminata Djaló")
        expect(facts).to_contain_text(TITLE_KEA)
        expect(
            visitor.get_by_role("link", name=kea("Download the certificate (PDF)"))
        ).to_be_visible()
        _fits_the_screen(visitor)

        # The coordinator revokes it, giving the reason.
        clock.move_to(at(13, 15))
        office = _staff(browser, live_server.url, coordinator)
        _open_enrolment(office, session, enrolment)
        assert _violations(office) == []
        section = office.locator("section[aria-labelledby=certificate]")
        section.locator("summary", has_text=pt("Revoke the certificate")).click()
        section.get_by_label(pt("Reason for revoking")).select_option(label=pt("Issued in error"))
        section.get_by_label(pt("Note (optional)")).fill("O nome estava mal escrito.")
        section.get_by_role("button", name=pt("Revoke the certificate")).click()
        expect(office.locator("#revoked")).to_contain_text(pt("Issued in error"))
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None
        assert certificate.revocation_reason == RevocationReason.ISSUED_IN_ERROR
        assert certificate.revocation_note == "O nome estava mal escrito."
        office.context.close()

        # The same address now says "revoked", with the date.
        visitor.goto(path)
        expect(visitor.get_by_role("heading", level=1)).to_have_text(kea("Revoked certificate"))
        with translation.override("kea"):
            revoked_on = format_date(certificate.revoked_at, "long")
        assert revoked_on == format_date(at(13, 15), "long", locale="kea_CV")
        expect(visitor.locator(".verdict")).to_contain_text(
            kea("The issuer revoked this certificate on %(date)s. It is no longer valid.")
            % {"date": revoked_on}
        )
        expect(visitor.locator("main dl.facts")).to_contain_text(revoked_on)
        expect(
            visitor.get_by_role("link", name=kea("Download the certificate (PDF)"))
        ).to_have_count(0)
        _fits_the_screen(visitor)
        visitor.context.close()


def _revoked() -> Certificate:
    certificate = issued(now=NOW, language="kea")
    return revoke_certificate(
        certificate=certificate, actor=None, reason=RevocationReason.FRAUD, now=NOW
    )


def test_training_and_verification_pages_pass_axe_and_fit_a_phone(
    browser, live_server, settings, make_staff, unit
):
    use_keys(settings, SEED_A)
    with time_machine.travel(NOW, tick=True):
        trainer = make_staff(Role.TRAINER, unit, language="pt")
        course, session = _course(unit, trainer)
        valid = issued(now=NOW, language="kea")
        revoked = _revoked()
        page = _visitor(browser, live_server.url, javascript=True)
        # An application refused for a missing phone keeps what was typed and says why.
        apply = f"/kea/training/{course.slug}/apply/?session={session.pk}"
        paths = {
            "catalogue": "/kea/training/",
            "filtered": "/kea/training/?audience=immigrants&island=Santiago&taught_in=kea",
            "course": f"/kea/training/{course.slug}/",
            "application": apply,
            "refused": apply,
            "applied": f"/kea/training/{course.slug}/applied/",
            "verify": "/kea/verify/",
            "valid": f"/kea/verify/{valid.pk}/",
            "revoked": f"/kea/verify/{revoked.pk}/",
            "unknown": "/kea/verify/no-such-certificate/",
        }
        found = {}
        for kind, path in paths.items():
            page.goto(path)
            if kind == "filtered":
                expect(page.get_by_role("link", name=TITLE_KEA, exact=True)).to_be_visible()
            elif kind == "refused":
                page.get_by_label(kea("Your name")).fill("Aminata Djaló")
                page.get_by_label(kea("SMS"), exact=True).check()
                page.get_by_role("button", name=kea("Send my application")).click()
                expect(page.locator("#form-errors")).to_be_visible()
                expect(page.get_by_label(kea("Your name"))).to_have_value("Aminata Djaló")
                expect(page.get_by_label(kea("SMS"), exact=True)).to_be_checked()
            assert page.locator("main h1").count() == 1, kind
            _fits_the_screen(page)
            found[kind] = _violations(page)
        assert found == {kind: [] for kind in paths}
        expect(page.get_by_role("heading", level=1)).to_have_text(kea("Unknown certificate"))
        page.context.close()

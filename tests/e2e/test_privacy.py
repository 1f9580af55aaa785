"""Browser journeys of data protection: an officer opens a person's access export from the
record's "Data protection" section and reads it in the person's language; an administrator
records a breach and sees the deadline for notifying the CNPD."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.core.formatting import format_datetime
from coop4int.privacy.domain.breaches import NOTIFY_WITHIN
from coop4int.privacy.models import Breach
from coop4int.privacy.tests.records import AT, person_with_records
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = "Atlantic/Cape_Verde"


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_officer_opens_a_persons_access_export_in_their_language(
    page, make_staff, unit, other_unit, settings, tmp_path, language
):
    settings.MEDIA_ROOT = tmp_path
    t = lambda message: in_language(language, message)  # noqa: E731
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language=language)
    records = person_with_records(
        officer=officer, unit=unit, other_unit=other_unit, language=language
    )
    person = records.person
    log_in(page, officer)

    page.goto(f"/staff/people/{person.pk}/")
    rights = page.locator("section", has=page.locator("#rights"))
    rights.get_by_role(
        "link", name=t("Access: everything held on the person, to read, print or download")
    ).click()

    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/access/$"))
    document = page.locator("article.access-document")
    expect(document).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Personal data held on %(name)s") % {"name": person.display_name}
    )
    expect(document.get_by_role("heading", name=t("Your record"))).to_be_visible()
    for case in records.cases:
        expect(document.locator(f'[data-record="cases.Case:{case.pk}"]')).to_contain_text(
            case.reference
        )
    with translation.override(language):
        opened = format_datetime(AT, "medium", tz=ZONE)
    first = document.locator(f'[data-record="cases.Case:{records.cases[0].pk}"]')
    expect(first).to_contain_text(opened)
    # The case's timeline, with the file and its checksum.
    expect(first.locator(".access-files li")).to_contain_text("SHA-256")
    expect(
        page.get_by_role("link", name=t("Download as a ZIP archive, with the files"))
    ).to_be_visible()


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_administrator_records_a_breach_and_sees_its_deadline(
    page, make_staff, national_unit, language
):
    t = lambda message: in_language(language, message)  # noqa: E731
    administrator = make_staff(Role.ADMINISTRATOR, national_unit, language=language)
    discovered = timezone.localtime(timezone.now(), timezone=timezone.get_fixed_timezone(-60))
    discovered = discovered.replace(second=0, microsecond=0) - timedelta(hours=1)
    log_in(page, administrator)

    page.get_by_role("navigation", name=t("Back office")).get_by_role(
        "link", name=t("Breach log")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Breach log"))
    assert serious_violations(page) == []
    form = page.locator("section", has=page.locator("#record"))
    form.get_by_label(t("Discovered at")).fill(discovered.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(t("What happened")).fill("Um portátil com uma exportação foi roubado.")
    form.get_by_role("group", name=t("Kinds of records affected")).get_by_role(
        "checkbox"
    ).first.check()
    form.get_by_label(t("Categories of people affected")).fill("Utentes da Praia")
    form.get_by_label(t("People affected, approximately")).fill("40")
    form.get_by_label(t("Measures taken or proposed")).fill("Palavras-passe mudadas.")
    form.get_by_role("button", name=t("Record the breach")).click()

    breach = Breach.objects.get()
    expect(page).to_have_url(re.compile(rf"/staff/privacy/breaches/{breach.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(
        t("The breach was recorded. The CNPD must be notified within 72 hours of its discovery.")
    )
    with translation.override(language):
        deadline = format_datetime(discovered + NOTIFY_WITHIN, "short", tz=ZONE)
    expect(page.locator("#breach-deadline")).to_have_text(deadline)
    expect(page.locator("#breach-clock .breach-clock")).to_have_attribute("data-state", "running")
    expect(page.locator("#breach-clock")).to_contain_text(deadline)
    assert serious_violations(page) == []

    page.get_by_role("navigation", name=t("Back office")).get_by_role(
        "link", name=t("Register of processing")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register of processing"))
    assert serious_violations(page) == []

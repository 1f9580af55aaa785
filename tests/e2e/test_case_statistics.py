"""Browser journey of the support desk's statistics: a coordinator reads a period — only the
people who agreed to statistics, every figure rounded to a multiple of 5 — and takes the
figures away as a CSV file; both readings are in the audit log."""

import csv
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CV = ZoneInfo("Atlantic/Cape_Verde")


def test_coordinator_reads_a_months_figures_and_downloads_them(page, make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language="pt")
    # March 2025: ten women and five men who agreed to statistics came to the desk, and two
    # men who did not.
    for n, sex in enumerate(["female"] * 10 + ["male"] * 7):
        person = register_person(
            actor=coordinator, unit=unit,
            details=PersonDetails(given_names=f"P{n}", sex=sex, nationalities=("CV",)),
        )  # fmt: skip
        if n < 15:
            give_consent(actor=coordinator, person=person, purpose=Purpose.STATISTICS,
                         method=ConsentMethod.IN_PERSON)  # fmt: skip
        open_case(actor=coordinator, unit=unit, channel=Channel.WALK_IN, subject=f"Pedido {n}",
                  person=person, at=datetime(2025, 3, 3 + n, 10, tzinfo=CV))  # fmt: skip
    log_in(page, coordinator)
    t = lambda message: in_language("pt", message)  # noqa: E731

    page.get_by_role("link", name=t("Statistics"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Support desk statistics"))
    # Labels end with the form's suffix (":"), hence the patterns.
    page.get_by_label(re.compile(rf"^{re.escape(t('From'))}\W*$")).fill("2025-03-01")
    page.get_by_label(re.compile(rf"^{re.escape(t('To (included)'))}\W*$")).fill("2025-03-31")
    page.get_by_role("button", name=t("Show")).click()

    expect(page).to_have_url(re.compile(r"start=2025-03-01&end=2025-03-31"))
    expect(page.get_by_text(t(
        "Only people who agreed to the use of their data in statistics are counted: every "
        "figure on this page leaves out the cases, contacts and referrals of anyone else, and "
        "requests without a person record."
    ))).to_be_visible()  # fmt: skip
    summary = page.get_by_role("table", name=t("In brief"))
    expect(summary.get_by_role("row", name=t("Cases opened"))).to_contain_text("15")
    by_sex = page.locator("table#cases_by_sex")
    expect(by_sex.get_by_role("row", name=t("Female")).get_by_role("cell")).to_have_text("10")
    expect(by_sex.get_by_role("row", name=t("Male")).get_by_role("cell")).to_have_text("5")
    expect(by_sex.get_by_role("row", name=t("Intersex")).get_by_role("cell")).to_have_text("<5")
    expect(by_sex.locator("tfoot")).to_contain_text("15")
    assert serious_violations(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Download CSV")).click()
    download = download_info.value
    assert download.suggested_filename == "coop4int-cases-praia-2025-03-01-2025-03-31.csv"
    with Path(download.path()).open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["section", "key", "value"]
    assert ["summary", "cases_opened", "15"] in rows
    assert ["cases_by_sex", "female", "10"] in rows
    assert ["cases_by_sex", "male", "5"] in rows
    assert ["cases_by_sex", "intersex", "<5"] in rows
    # The current month when the page opened, then March on screen and in the file.
    assert list(
        AuditEntry.objects.filter(action__startswith="cases.statistics.")
        .order_by("id")
        .values_list("action", "data")
    )[-2:] == [
        ("cases.statistics.viewed", {"period": "2025-03-01/2025-03-31", "unit": "praia"}),
        ("cases.statistics.exported",
         {"period": "2025-03-01/2025-03-31", "unit": "praia", "rows": len(rows) - 1}),
    ]  # fmt: skip

"""Browser journey of a unit's appointment statistics: ten people booked a morning slot a week
or two ago and five did not come; the coordinator opens the statistics (the last four weeks by
default), sees the no-shows counted out of the appointments due, groups them by service, and
takes the figures away as a CSV file; each reading is in the audit log."""

import csv
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.appointments.domain.booking import book_slot, mark_no_show
from coop4int.appointments.domain.slots import slots_between
from coop4int.appointments.tests.helpers import PRAIA, bookable_desk
from coop4int.core.models import AuditEntry
from tests.e2e.steps import in_language, log_in
from tests.e2e.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_no_show_is_counted_on_the_statistics_page(page, make_staff, unit):
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language="pt")
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    # A slot between three weeks and a week ago, whatever today is, booked the day before.
    today = timezone.localdate(timezone=PRAIA)
    first_day = today - timedelta(days=20)
    booked_at = datetime.combine(first_day - timedelta(days=1), time(9), tzinfo=PRAIA)
    bookable = bookable_desk(unit, places=10, book_ahead_days=60, now=booked_at)
    slot = slots_between(
        bookable, start_date=first_day, end_date=today - timedelta(days=6), now=booked_at
    )[0]
    bookings = [
        book_slot(service_at_location=bookable.service_at_location, start=slot.start,
                  name=f"Pessoa {n}", phone=f"+23899300{n:02d}", language="pt",
                  now=booked_at)[0]
        for n in range(10)
    ]  # fmt: skip
    for booking in bookings[:5]:
        mark_no_show(booking=booking, actor=officer, now=slot.start + timedelta(hours=1))

    log_in(page, coordinator)
    t = lambda message: in_language("pt", message)  # noqa: E731
    page.goto("/staff/appointments/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Appointments and waiting rooms: statistics")
    )
    summary = page.get_by_role("table", name=t("In brief"))

    def summary_row(name: str):
        return summary.locator("tr", has=page.get_by_role("rowheader", name=t(name), exact=True))

    expect(summary_row("Appointments")).to_contain_text("10")
    expect(summary_row("No-shows / appointments due")).to_contain_text("5 / 10")
    day = page.locator(f'tr[data-key="{slot.start.date().isoformat()}"]')
    expect(day).to_contain_text("5 / 10")
    assert serious_violations(page) == []

    page.get_by_label(re.compile(rf"^{re.escape(t('Figures by'))}\W*$")).select_option("service")
    page.get_by_role("button", name=t("Show")).click()
    expect(page).to_have_url(re.compile(r"grouping=service"))
    service = bookable.service_at_location
    row = page.locator(f'tr[data-key="{service.pk}"]')
    expect(row).to_contain_text(service.service.name)
    expect(row).to_contain_text("5 / 10")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Download CSV")).click()
    with Path(download_info.value.path()).open(encoding="utf-8", newline="") as file:
        lines = list(csv.DictReader(file))
    total = next(line for line in lines if line["group"] == "total")
    assert (total["appointments"], total["appointments_due"], total["no_shows"]) == (
        "10", "10", "5",
    )  # fmt: skip
    assert list(
        AuditEntry.objects.filter(action__startswith="appointments.statistics.")
        .order_by("pk")
        .values_list("action", "data__grouping")
    ) == [
        ("appointments.statistics.viewed", "day"),
        ("appointments.statistics.viewed", "service"),
        ("appointments.statistics.downloaded", "service"),
    ]

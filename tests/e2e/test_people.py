"""Browser journeys of a person's record in the back office."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import Person
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_merges_a_duplicate_and_the_kept_record_shows_both_cases(page, make_staff, unit):
    t = lambda message: in_language("pt", message)  # noqa: E731
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    person = register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )
    duplicate = register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminatá", family_names="Diallo"),
        phones=["+2389900000"],
    )
    first, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=person
    )
    second, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.PHONE, subject="Habitação", person=duplicate
    )
    log_in(page, officer)

    page.goto(f"/staff/cases/{first.reference}/")
    page.get_by_role("link", name="Aminata Diallo").click()
    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/$"))
    duplicates = page.locator("section", has=page.locator("#duplicates"))
    expect(duplicates).to_contain_text("Aminatá Diallo")
    expect(page.locator("table.cases")).not_to_contain_text(second.reference)

    duplicates.get_by_label(t("I checked these are the same person")).check()
    duplicates.get_by_role("button", name=t("Merge into this record")).click()

    # Back where the merge was made.
    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/#duplicates$"))
    expect(page.locator(".messages")).to_contain_text(
        t("The record of %(name)s was merged into this one.") % {"name": "Aminatá Diallo"}
    )
    cases = page.locator("table.cases")
    expect(cases).to_contain_text(first.reference)
    expect(cases).to_contain_text(second.reference)
    expect(page.locator("dl.facts")).to_contain_text("+2389900000")
    expect(duplicates).to_contain_text(t("No possible duplicate found."))
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == person.pk

    page.get_by_role("link", name=second.reference).click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{second.reference}/$"))
    expect(page.get_by_role("link", name="Aminata Diallo")).to_be_visible()

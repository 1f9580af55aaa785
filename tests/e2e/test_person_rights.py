"""Browser journey of a person's erasure: a coordinator opens the preview from the record's
"Data protection" section, erases the record choosing why, with a note, and finds the
tombstone with both."""

import re

import pytest
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.models import Person
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_coordinator_previews_and_erases_a_person_then_sees_the_tombstone(
    page, make_staff, unit, settings, tmp_path, language
):
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    t = lambda message: in_language(language, message)  # noqa: E731
    coordinator = make_staff(Role.UNIT_COORDINATOR, unit, language=language)
    person = register_person(
        actor=coordinator, unit=unit, phones=["+2389876543"],
        details=PersonDetails(given_names="Zenaida", family_names="Quaresma"),
    )  # fmt: skip
    case, _secret = open_case(
        actor=coordinator, unit=unit, channel=Channel.WALK_IN, person=person,
        subject="Zenaida: autorização de residência", body="A Zenaida pediu ajuda.",
    )  # fmt: skip
    log_in(page, coordinator)

    page.goto(f"/staff/people/{person.pk}/")
    rights = page.locator("section", has=page.locator("#rights"))
    expect(rights.locator("h2#rights")).to_have_text(t("Data protection"))
    rights.get_by_role(
        "link", name=t("Erasure: see what would be deleted, anonymised or kept")
    ).click()

    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/erasure/$"))
    preview = page.locator("table.erasure-preview")
    expect(preview.locator('tr[data-model="cases.Case"] td').nth(1)).to_have_text(
        t("Anonymised: kept for counts, without what identifies anyone")
    )
    expect(preview.locator('tr[data-model="people.ContactPoint"] td').nth(1)).to_have_text(
        t("Deleted")
    )
    page.get_by_role("group", name=t("Why the record is erased")).get_by_label(
        t("The person asked for it")
    ).check()
    page.get_by_label(t("Note on the erasure")).fill("Pedido escrito 12/2025")
    page.get_by_label(
        t("I checked this record is to be erased, and that it cannot be undone")
    ).check()
    page.get_by_role("button", name=t("Erase the record for good")).click()

    expect(page).to_have_url(re.compile(rf"/staff/people/{person.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Erased record"))
    expect(page.locator("#tombstone")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        t(
            "The record was erased. What identified the person is gone; the cases stay, "
            "anonymised, and are still counted in the statistics."
        )
    )
    expect(page.locator("#erasure-ground")).to_contain_text(t("The person asked for it"))
    expect(page.locator("#erasure-note")).to_have_text("Pedido escrito 12/2025")
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("Zenaida")
    expect(page.locator("main")).not_to_contain_text("+2389876543")
    # The case is still listed, by its reference, for the counts.
    expect(page.locator("table.cases")).to_contain_text(case.reference)
    assert Person.objects.get(pk=person.pk).is_erased
    assert Case.objects.get(pk=case.pk).anonymised_at is not None

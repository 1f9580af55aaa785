"""The monthly reminder: each unit's content editors and coordinators get, at most once a
calendar month, one e-mail in their language listing what of the unit's information needs
attention; a unit whose information is all green, and other staff, get nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.content.domain.health_reminders import send_health_reminders
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.content.models import ContentItem, HealthReminder
from coop4int.content.tasks import remind_content_health
from coop4int.core.models import AuditEntry, PeriodicRun
from coop4int.core.periodic import run_due

TODAY = date(2026, 6, 1)


@pytest.fixture
def author(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit, language="fr")


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit, language="pt")


def _card(author, reviewer, slug, languages, review_by):
    item = create_item(
        actor=author, slug=slug, kind=ItemKind.CARD, source_language="pt", title=slug
    )
    for language in languages:
        text = save_text(
            actor=author, item=item, language=language, title=f"{slug} [{language}]",
            summary="", body="",
        )  # fmt: skip
        submit_for_review(actor=author, translation=text)
        publish(actor=reviewer, translation=text, today=date(2026, 1, 10))
    ContentItem.objects.filter(pk=item.pk).update(review_by=review_by)
    return item


@pytest.fixture
def cards(author, make_staff, national_unit):
    """At Praia: a card of masks past its review date, translated into French; a card whose
    review is far off, in every language of the site."""
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    _card(author, reviewer, "mascara", ("pt", "fr"), date(2026, 5, 1))
    _card(author, reviewer, "linha", ("pt", "kea", "en", "fr"), date(2027, 1, 10))


def _in(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_editors_and_coordinators_of_the_unit_are_reminded_in_their_language(
    cards, author, coordinator, make_staff, unit, other_unit, settings
):
    settings.PUBLIC_URL = "https://coop4int.example"
    make_staff(Role.FRONT_OFFICE_OFFICER, unit)  # neither writes nor answers for information
    make_staff(Role.CONTENT_EDITOR, other_unit)  # another unit's editor
    make_staff(Role.UNIT_COORDINATOR, unit, email="")  # no address to write to
    make_staff(Role.CONTENT_EDITOR, unit, is_active=False)

    assert send_health_reminders(today=TODAY) == 2

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {author.email, coordinator.email}
    french = by_recipient[author.email]
    assert "mascara [fr]" in french.body  # the item by its French title
    assert "linha" not in french.body  # all green: not listed
    assert "Praia" in french.subject
    assert "kea" in french.body  # the missing languages, by name and code
    assert "https://coop4int.example/staff/content/health/?unit=praia" in french.body
    portuguese = by_recipient[coordinator.email]
    assert "mascara [pt]" in portuguese.body
    for message, language in ((french, "fr"), (portuguese, "pt")):
        sentence = _in(language, "You get this e-mail at most once a month, while something "
                                 "needs attention.")  # fmt: skip
        assert sentence in message.body
    entry = AuditEntry.objects.get(action="content.health.reminded")
    assert (entry.unit, entry.data) == (unit, {"light": "red", "items": 1, "recipients": 2})


def test_a_unit_is_reminded_at_most_once_a_calendar_month(cards, author, coordinator):
    assert send_health_reminders(today=TODAY) == 2
    assert send_health_reminders(today=TODAY) == 0
    assert send_health_reminders(today=date(2026, 6, 30)) == 0
    assert send_health_reminders(today=date(2026, 7, 1)) == 2
    assert len(mail.outbox) == 4
    assert HealthReminder.objects.get(unit=author.unit).sent_on == date(2026, 7, 1)


def test_a_unit_whose_information_is_all_green_is_not_reminded(cards, author, coordinator):
    ContentItem.objects.update(review_by=date(2027, 1, 10))
    ContentItem.objects.filter(slug="mascara").delete()

    assert send_health_reminders(today=TODAY) == 0
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="content.health.reminded").exists()


def test_items_of_no_unit_remind_nobody(make_staff, national_unit):
    nobody = make_staff(Role.CONTENT_EDITOR, None)
    make_staff(Role.UNIT_COORDINATOR, national_unit)
    _card(nobody, make_staff(Role.CONTENT_EDITOR, national_unit), "solta", ("pt",),
          date(2020, 1, 1))  # fmt: skip

    assert send_health_reminders(today=TODAY) == 0


def test_the_periodic_task_runs_daily_and_is_safe_to_run_twice(cards, author, coordinator):
    at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        assert "content.remind_health" in run_due(at)  # the immediate backend runs it
        assert len(mail.outbox) == 2
        assert remind_content_health.call() == 0
    assert PeriodicRun.objects.get(name="content.remind_health").last_run_at == at
    with time_machine.travel(at + timedelta(days=1), tick=False):
        assert "content.remind_health" in run_due(at + timedelta(days=1))
    assert len(mail.outbox) == 2  # run again the next day, but not a second e-mail this month

"""The demo cards light every colour of the content-health page, whenever the demo is loaded:
the face-to-face card (masks) is past its review date and its French is behind (red), the
vaccination card's review falls due within the month (amber)."""

from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from coop4int.accounts.enums import Role
from coop4int.accounts.models import User
from coop4int.content.domain.health import content_health
from coop4int.content.domain.health_reminders import send_health_reminders
from coop4int.content.enums import Health
from coop4int.demo import content


@pytest.fixture(
    scope="module",
    params=[datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2031, 11, 20, 12, tzinfo=UTC)],
)
def _loaded_at(request, rows_kept, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo loaded at each moment once for this module's tests, rolled back after them;
    what it sent by e-mail."""

    def sent_loading() -> list:
        mail.outbox = []
        with time_machine.travel(request.param, tick=False):
            call_command("load_demo", stdout=StringIO())
        return list(mail.outbox)

    with rows_kept(sent_loading, MEDIA_ROOT=tmp_path_factory.mktemp("media")) as sent:
        yield request.param, sent


@pytest.fixture
def loaded_on(_loaded_at, db) -> date:  # type: ignore[no-untyped-def]
    """The day the demo was loaded; each test starts from it in a savepoint of its own, the
    messages the load sent in the outbox."""
    moment, sent = _loaded_at
    mail.outbox = list(sent)
    return moment.date()


def test_the_demo_cards_are_kept_by_the_aai_and_light_red_and_amber(loaded_on):
    # The AAI keeps the cards; Praia keeps the description of a training course.
    by_unit = {
        health.unit.slug: health for health in content_health(today=loaded_on) if health.unit
    }
    assert set(by_unit) == {"aai", "praia"}
    health = by_unit["aai"]
    items = {item.item.slug: item for item in health.items}

    assert health.unit is not None
    assert health.unit.slug == "aai"
    face_to_face = items[content.FACE_TO_FACE.slug]
    assert (face_to_face.light, face_to_face.past_review, face_to_face.outdated) == (
        Health.RED, True, ("fr",)
    )  # fmt: skip
    vaccination = items[content.COVID_VACCINATION.slug]
    assert vaccination.review_due_soon
    assert vaccination.light == Health.AMBER
    line = items[content.MIGRANT_SUPPORT_LINE.slug]
    assert (line.last_reviewed_on, line.past_review, line.review_due_soon) == (
        loaded_on, False, False
    )  # fmt: skip
    assert health.light == Health.RED


def test_the_aais_demo_editors_are_reminded(loaded_on):
    editors = set(
        User.objects.filter(
            unit__slug="aai", role_assignments__role=Role.CONTENT_EDITOR
        ).values_list("email", flat=True)
    )
    # And Praia's coordinator, for the course description Praia keeps.
    praia = set(
        User.objects.filter(
            unit__slug="praia", role_assignments__role=Role.UNIT_COORDINATOR
        ).values_list("email", flat=True)
    )

    assert send_health_reminders(today=loaded_on) == len(editors | praia)
    assert "editor@demo.coop4int.example" in editors
    assert {message.to[0] for message in mail.outbox} == editors | praia

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
    params=[datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2031, 11, 20, 12, tzinfo=UTC)]
)
def loaded_on(request, db) -> date:
    with time_machine.travel(request.param, tick=False):
        call_command("load_demo", stdout=StringIO())
    return request.param.date()


def test_the_demo_cards_are_kept_by_the_aai_and_light_red_and_amber(loaded_on):
    [health] = content_health(today=loaded_on)
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

    assert send_health_reminders(today=loaded_on) == len(editors)
    assert "editor@demo.coop4int.example" in editors
    assert {message.to[0] for message in mail.outbox} == editors

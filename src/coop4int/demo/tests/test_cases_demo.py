import pytest
from django.core.management import call_command

from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import CannedAnswerText, Case, Referral

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_channels_and_statuses_once():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    cases = Case.objects.filter(unit__slug="praia", is_demo=True)
    assert {c.channel for c in cases} == {Channel.WALK_IN, Channel.PHONE, Channel.EMAIL,
                                          Channel.WEB}  # fmt: skip
    assert {c.status for c in cases} >= {Status.RESOLVED, Status.NEW, Status.WAITING_PERSON,
                                         Status.WAITING_PARTNER}  # fmt: skip
    assert cases.count() == 5
    referral = Referral.objects.get(case__in=cases)
    assert referral.partner.slug == "centro-saude-achada"
    assert CannedAnswerText.objects.filter(answer__is_demo=True).count() == 7
    assert all(c.person is None or c.person.is_demo for c in cases)

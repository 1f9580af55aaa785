from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.directory import hours
from coop4int.directory.domain.calendars import calendar_for
from coop4int.directory.domain.editing import (
    Opening,
    add_closure,
    approve_proposal,
    change_hours_from,
    propose_change,
    reject_proposal,
    save_translation,
    update_service,
    verify_service,
)
from coop4int.directory.domain.queries import services_for_user, stale_services
from coop4int.directory.enums import ProposalStatus
from coop4int.directory.models import Location, Schedule, Service, ServiceAtLocation

LISBON = ZoneInfo("Europe/Lisbon")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@pytest.fixture
def support_line(unit):
    """The Migrant Support Line before 5 March 2022: Monday to Friday 9:00–19:00."""
    service = Service.objects.create(name="Linha de Apoio a Migrantes", unit=unit)
    location = Location.objects.create(
        name="Linha", time_zone="Europe/Lisbon", country="PT", location_type="virtual"
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    Schedule.objects.create(
        service=service,
        freq="WEEKLY",
        byday=",".join(WEEKDAYS),
        opens_at=time(9),
        closes_at=time(19),
    )
    return service


@pytest.fixture
def editor(make_staff, unit):
    return make_staff(Role.CONTENT_EDITOR, unit)


def _open_at(service: Service, moment: datetime) -> bool:
    sal = service.at_locations.get()
    day = moment.date()
    return hours.is_open(calendar_for(sal, day, day), moment)


def test_hours_change_from_a_date_and_the_old_hours_stay_as_history(support_line, editor):
    change_hours_from(
        actor=editor,
        service=support_line,
        valid_from=date(2022, 3, 5),
        openings=[
            Opening(WEEKDAYS, time(9), time(20)),
            Opening(("SA",), time(9), time(17)),
        ],
    )
    old = support_line.schedules.get(valid_to__isnull=False)
    assert old.valid_to == date(2022, 3, 4)
    assert support_line.schedules.filter(valid_from=date(2022, 3, 5)).count() == 2
    assert not _open_at(support_line, datetime(2022, 3, 4, 19, 30, tzinfo=LISBON))
    assert _open_at(support_line, datetime(2022, 3, 11, 19, 30, tzinfo=LISBON))
    assert _open_at(support_line, datetime(2022, 3, 12, 10, 0, tzinfo=LISBON))
    assert AuditEntry.objects.filter(action="directory.hours.changed").count() == 1


def test_closing_before_opening_is_refused_and_nothing_is_saved(support_line, editor):
    before = list(Schedule.objects.values_list("pk", "valid_to"))
    with pytest.raises(ValidationError) as error:
        change_hours_from(
            actor=editor,
            service=support_line,
            valid_from=date(2026, 12, 1),
            openings=[Opening(WEEKDAYS, time(18), time(9))],
        )
    assert "09:00" in str(error.value)
    assert list(Schedule.objects.values_list("pk", "valid_to")) == before
    assert not AuditEntry.objects.filter(action="directory.hours.changed").exists()


def test_an_editor_of_another_unit_cannot_change_the_service(support_line, make_staff, other_unit):
    stranger = make_staff(Role.CONTENT_EDITOR, other_unit)
    with pytest.raises(PermissionDenied):
        update_service(actor=stranger, service=support_line, changes={"name": "X"})
    assert support_line not in services_for_user(stranger)


def test_update_is_audited_with_the_changed_fields(support_line, editor):
    changed = update_service(
        actor=editor,
        service=support_line,
        changes={"name": "Linha de Apoio", "walk_in": False, "languages": ["pt", "en"]},
    )
    assert changed == ["name", "languages"]
    entry = AuditEntry.objects.get(action="directory.service.updated")
    assert entry.data == {"fields": ["name", "languages"]}
    assert sorted(support_line.languages.values_list("code", flat=True)) == ["en", "pt"]


def test_unknown_language_code_is_refused(support_line, editor):
    with pytest.raises(ValidationError):
        update_service(actor=editor, service=support_line, changes={"languages": ["xx"]})
    assert not support_line.languages.exists()


def test_a_closure_without_end_keeps_it_closed(support_line, editor):
    location = support_line.at_locations.get().location
    add_closure(
        actor=editor,
        service=support_line,
        location=location,
        starts_at=datetime(2026, 12, 24, 13, 0, tzinfo=LISBON),
        ends_at=None,
        reason="Temporariamente encerrado",
    )
    assert not _open_at(support_line, datetime(2026, 12, 28, 10, 0, tzinfo=LISBON))
    assert _open_at(support_line, datetime(2026, 12, 24, 10, 0, tzinfo=LISBON))


def test_verified_entries_leave_the_stale_list(support_line, editor):
    today = date(2026, 11, 25)
    assert support_line in stale_services(Service.objects.all(), today)
    verify_service(actor=editor, service=support_line, on=today)
    assert support_line not in stale_services(Service.objects.all(), today)


def test_partner_proposal_is_applied_only_when_approved(support_line, editor, make_staff, unit):
    partner = make_staff(Role.PARTNER_USER, unit)
    proposal = propose_change(
        actor=partner, service=support_line, changes={"name": "Linha Nova"}, note="New name"
    )
    support_line.refresh_from_db()
    assert support_line.name == "Linha de Apoio a Migrantes"
    assert proposal.original == {"name": "Linha de Apoio a Migrantes"}

    approve_proposal(actor=editor, proposal=proposal)
    support_line.refresh_from_db()
    assert support_line.name == "Linha Nova"
    assert proposal.status == ProposalStatus.APPROVED
    with pytest.raises(ValidationError):
        approve_proposal(actor=editor, proposal=proposal)


def test_rejecting_needs_a_reason(support_line, editor, make_staff, unit):
    partner = make_staff(Role.PARTNER_USER, unit)
    proposal = propose_change(actor=partner, service=support_line, changes={"walk_in": True})
    with pytest.raises(ValidationError):
        reject_proposal(actor=editor, proposal=proposal, reason=" ")
    reject_proposal(actor=editor, proposal=proposal, reason="Not true")
    assert proposal.status == ProposalStatus.REJECTED
    assert AuditEntry.objects.filter(action="directory.proposal.rejected").count() == 1


def test_a_partner_cannot_edit_directly(support_line, make_staff, unit):
    partner = make_staff(Role.PARTNER_USER, unit)
    with pytest.raises(PermissionDenied):
        update_service(actor=partner, service=support_line, changes={"name": "X"})


def test_overlapping_versions_already_on_record_are_refused(support_line, editor):
    # As a careless import might have left them: two versions valid at once.
    support_line.schedules.update(valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    Schedule.objects.create(
        service=support_line, byday="SA", opens_at=time(9), closes_at=time(12),
        valid_from=date(2026, 6, 1),
    )  # fmt: skip
    before = list(Schedule.objects.values_list("pk", "valid_to"))
    with pytest.raises(ValidationError) as error:
        change_hours_from(
            actor=editor,
            service=support_line,
            valid_from=date(2027, 1, 1),
            openings=[Opening(WEEKDAYS, time(9), time(18))],
        )
    assert error.value.messages == [
        gettext("These hours overlap with other hours valid in the same period.")
    ]
    assert list(Schedule.objects.values_list("pk", "valid_to")) == before


def test_a_translation_is_saved_shown_and_removed(support_line, editor):
    save_translation(
        actor=editor, service=support_line, language="fr", name="Ligne d'appui", description=""
    )
    assert support_line.translations.get().name == "Ligne d'appui"
    save_translation(actor=editor, service=support_line, language="fr", name=" ", description="")
    assert not support_line.translations.exists()
    assert [e.action for e in AuditEntry.objects.order_by("id")][-2:] == [
        "directory.translation.saved",
        "directory.translation.removed",
    ]


def test_a_translation_into_the_source_language_or_an_unknown_one_is_refused(support_line, editor):
    for language in ("pt", "xx"):
        with pytest.raises(ValidationError):
            save_translation(
                actor=editor, service=support_line, language=language, name="X", description=""
            )
    assert not support_line.translations.exists()

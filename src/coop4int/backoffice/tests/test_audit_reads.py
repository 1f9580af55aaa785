"""Reads that reach people are audited, one entry each, with nothing personal in clear: a
caller looked up on the phone line (by the number typed, and again when the call is logged),
a search in the case inbox, an export."""

import csv
import io
import json

import pytest
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db

PHONE = "+2389912345"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def desk(client, login_verified, officer):
    login_verified(client, officer)
    return client


@pytest.fixture
def aminata(officer, unit):
    return register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"), phones=[PHONE],
    )  # fmt: skip


@pytest.fixture
def her_case(officer, unit, aminata):
    return open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Visto", person=aminata
    )[0]


def _new_entries(action: str, before: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, pk__gt=before).order_by("pk"))


def _last_pk() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _clear(entry: AuditEntry, *values: str) -> list[str]:
    text = f"{entry.object_repr} {json.dumps(entry.data, ensure_ascii=False)}".casefold()
    return [value for value in values if value.casefold() in text]


# --- The phone line ----------------------------------------------------------------------------


def test_looking_up_a_number_is_one_entry_with_the_number_masked(desk, officer, aminata, her_case):
    before = _last_pk()
    desk.get(reverse("backoffice:phone_line"), {"number": "991 23 45"})
    (entry,) = _new_entries("cases.caller.looked_up", before)
    assert entry.actor == officer
    assert entry.data == {"number": "***2345", "matches": 1}
    assert _clear(entry, PHONE, "9912345", "Aminata", "Diallo") == []


def test_logging_a_call_looks_the_caller_up_once(desk, aminata, her_case):
    before = _last_pk()
    response = desk.post(reverse("backoffice:phone_line"), {
        "number": PHONE, "direction": "in", "case": her_case.reference,
        "person": str(aminata.pk), "summary": "Pergunta pelo prazo", "language": "pt",
    })  # fmt: skip
    assert response.status_code == 302
    (entry,) = _new_entries("cases.caller.looked_up", before)
    assert entry.data == {"number": "***2345", "matches": 1}


def test_a_call_that_cannot_be_logged_still_looks_up_once(desk, aminata):
    before = _last_pk()
    response = desk.post(reverse("backoffice:phone_line"), {"number": PHONE, "direction": "in"})
    assert response.status_code == 200  # shown again: the summary is missing
    assert len(_new_entries("cases.caller.looked_up", before)) == 1


def test_a_number_that_is_not_one_is_not_a_lookup(desk):
    before = _last_pk()
    desk.get(reverse("backoffice:phone_line"), {"number": "not a number"})
    assert _new_entries("cases.caller.looked_up", before) == []


# --- The case inbox ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Aminata Diallo", {"kind": "text", "length": 14, "words": 2}),
        ("aminata@example.org", {"kind": "email", "query": "am***@example.org"}),
        (PHONE, {"kind": "phone", "query": "***2345"}),
    ],
)
def test_an_inbox_search_is_one_entry_without_the_words(desk, officer, her_case, typed, kept):
    before = _last_pk()
    response = desk.get(reverse("backoffice:case_inbox"), {"q": typed, "channel": "walk_in"})
    assert response.status_code == 200
    (entry,) = _new_entries("cases.inbox.searched", before)
    assert entry.actor == officer
    assert entry.unit == officer.unit
    found = 1 if typed == "Aminata Diallo" else 0
    assert entry.data == kept | {
        "view": "unit", "filters": {"channel": "walk_in"}, "results": found, "more": False,
        "continued": False,
    }  # fmt: skip
    assert _clear(entry, typed, "Aminata", "Diallo", "9912345") == []


def test_a_reference_that_found_its_case_is_kept(desk, her_case):
    before = _last_pk()
    desk.get(reverse("backoffice:case_inbox"), {"q": her_case.reference.lower()})
    (entry,) = _new_entries("cases.inbox.searched", before)
    assert entry.data["kind"] == "reference"
    assert entry.data["query"] == her_case.reference
    assert entry.data["results"] == 1


def test_the_inbox_without_a_search_is_not_a_search(desk, her_case):
    before = _last_pk()
    desk.get(reverse("backoffice:case_inbox"), {"view": "unit", "channel": "walk_in"})
    assert _new_entries("cases.inbox.searched", before) == []


# --- Exports -----------------------------------------------------------------------------------


def test_the_statistics_export_is_one_entry_with_its_filter(client, login_verified, make_staff,
                                                            unit, her_case):  # fmt: skip
    login_verified(client, make_staff(Role.UNIT_COORDINATOR, unit))
    before = _last_pk()
    response = client.get(
        reverse("backoffice:case_statistics"),
        {"start": "2025-03-01", "end": "2025-03-31", "format": "csv"},
    )
    assert response["Content-Disposition"].startswith("attachment;")
    (entry,) = _new_entries("cases.statistics.exported", before)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))[1:]  # no header
    assert entry.data == {"period": "2025-03-01/2025-03-31", "unit": unit.slug,
                          "rows": len(rows)}  # fmt: skip
    assert _new_entries("cases.statistics.viewed", before) == []
    assert _clear(entry, "Aminata", "Diallo") == []

"""The right of access: a person's export holds every row every declaration finds on them,
their files with checksums, in their language — from the person's page, audited, within the
scoping rule."""

import hashlib
import io
import json
import re
import zipfile
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import UnitFactory
from coop4int.cases.models import CaseAttachment, Interaction
from coop4int.core.formatting import format_datetime
from coop4int.core.models import AuditEntry
from coop4int.core.personal_data import declarations
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.enums import Purpose
from coop4int.privacy.access_document import has_label, render_document, render_json
from coop4int.privacy.domain.access import ExportFormat, export_person
from coop4int.privacy.tests.records import AT, person_with_records

pytestmark = pytest.mark.django_db


def _ids_held(person: Any) -> dict[str, set[str]]:
    """What each declaration finds on ``person``, by id, straight from the database."""
    return {
        d.model: {str(pk) for pk in d.rows_of(person).values_list("pk", flat=True)}
        for d in declarations()
    }


def _json(client: Any, person: Any) -> dict[str, Any]:
    response = client.get(reverse("backoffice:privacy_access_json", args=[person.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_json_holds_every_row_of_every_declaration(client, login_verified, officer, records):
    login_verified(client, officer)
    exported = _json(client, records.person)
    held = _ids_held(records.person)
    assert set(exported["records"]) == set(held)
    for label, ids in held.items():
        assert {row["id"] for row in exported["records"][label]} == ids, label
    # The person has something of every kind, so the comparison above is not of empty sets.
    assert all(held.values())
    assert {row["reference"] for row in exported["records"]["cases.Case"]} == {
        case.reference for case in records.cases
    }
    assert len(exported["records"]["people.Consent"]) == 4  # three given, one withdrawn
    assert len(exported["records"]["cases.CaseAttachment"]) == 2


def test_json_gives_dates_in_iso_and_codes_with_their_labels(client, login_verified, officer,
                                                             records):  # fmt: skip
    login_verified(client, officer)
    consents = _json(client, records.person)["records"]["people.Consent"]
    withdrawn = next(c for c in consents if c["withdrawn_at"] is not None)
    assert withdrawn["purpose"] == {
        "code": Purpose.STATISTICS.value,
        "label": translation.override("pt")(lambda: str(Purpose.STATISTICS.label))(),
    }
    given = next(c for c in consents if c["purpose"]["code"] == Purpose.SERVICE)
    assert given["given_at"] == AT.astimezone(timezone.get_fixed_timezone(-60)).isoformat()


def test_files_are_listed_with_the_checksum_of_their_bytes(client, login_verified, officer,
                                                           records):  # fmt: skip
    login_verified(client, officer)
    rows = _json(client, records.person)["records"]["cases.CaseAttachment"]
    for row in rows:
        attachment = CaseAttachment.objects.get(pk=row["id"])
        content = records.files[attachment.filename]
        [file] = row["files"]
        assert file["sha256"] == hashlib.sha256(content).hexdigest()
        assert file["size"] == len(content)
        assert file["path"] == f"files/cases.CaseAttachment/{attachment.pk}/{file['name']}"


def test_zip_holds_the_document_the_json_and_every_file_unchanged(client, login_verified,
                                                                   officer, records):  # fmt: skip
    login_verified(client, officer)
    response = client.get(reverse("backoffice:privacy_access_zip", args=[records.person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "Maria" not in response["Content-Disposition"]
    # Read to the end, which closes the archive's temporary file.
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    exported = json.loads(archive.read("access.json"))
    files = [f for row in exported["records"]["cases.CaseAttachment"] for f in row["files"]]
    assert len(files) == 2
    for file in files:
        content = archive.read(file["path"])
        assert hashlib.sha256(content).hexdigest() == file["sha256"]
        assert content in records.files.values()
    document = archive.read("access.html").decode()
    assert "<style>" in document
    for file in files:
        assert file["sha256"] in document


@pytest.mark.parametrize("language", ["pt", "fr"])
def test_readable_document_is_in_the_persons_language(officer, unit, other_unit, language):
    records = person_with_records(
        officer=officer, unit=unit, other_unit=other_unit, language=language
    )
    export = export_person(person=records.person, actor=officer, now=AT)
    document = render_document(export, standalone=False)

    assert f'lang="{language}"' in document
    with translation.override(language):
        opened = format_datetime(AT, "medium", tz="Atlantic/Cape_Verde")
        expected = [
            translation.gettext("Personal data held on %(name)s")
            % {"name": records.person.display_name},
            translation.gettext("Your record"),
            translation.gettext("Why it is held"),
            str(declarations()[0].description),
            str(Purpose.REFERRAL.label),
            opened,
        ]
    for text in expected:
        assert text in unescape(document), text
    assert 'id="language-note"' not in document
    # Every exported row is in the document, each case once with its own timeline.
    for kind in export.kinds:
        for row in kind.rows:
            assert f'data-record="{kind.label}:{row.id}"' in document
    for case in records.cases:
        assert document.count(f"<dd>{case.reference}</dd>") >= 2


def test_a_case_timeline_reads_in_order_under_its_case(officer, records):
    export = export_person(person=records.person, actor=officer, now=AT)
    document = render_document(export, standalone=False)
    for case in records.cases:
        start = document.index(f'data-record="cases.Case:{case.pk}"')
        ids = list(case.interactions.order_by("occurred_at", "pk").values_list("pk", flat=True))
        positions = [document.index(f'data-record="cases.Interaction:{pk}"') for pk in ids]
        assert start < positions[0]
        assert positions == sorted(positions)
    assert Interaction.objects.filter(case__in=records.cases).count() == 5


def test_a_language_the_interface_lacks_falls_back_and_the_document_says_so(officer, unit):
    person = register_person(
        actor=officer, unit=unit,
        details=PersonDetails(given_names="Samira", preferred_language="ar"),
    )  # fmt: skip
    export = export_person(person=person, actor=officer, now=AT)
    assert (export.language, export.asked_language) == ("fr", "ar")
    document = render_document(export, standalone=True)
    assert 'lang="fr"' in document
    with translation.override("fr"):
        note = translation.gettext(
            "This document is not available in %(asked)s, the language you prefer, so it is "
            "written in %(used)s."
        ) % {"asked": "العربية", "used": "Français"}
    assert note in unescape(document)


def test_every_exported_field_has_a_translatable_label(officer, records):
    export = export_person(person=records.person, actor=officer, now=AT)
    unlabelled = {
        f"{kind.label}.{key}"
        for kind in export.kinds
        for row in kind.rows
        for key in row.values
        if not has_label(kind.model, key)
    }
    assert unlabelled == set()


def test_an_export_is_audited_once_without_personal_values(client, login_verified, officer,
                                                           records):  # fmt: skip
    login_verified(client, officer)
    client.get(reverse("backoffice:privacy_access", args=[records.person.pk]))
    [entry] = AuditEntry.objects.filter(action="privacy.access.exported")
    assert entry.actor == officer
    assert entry.object_id == str(records.person.pk)
    assert entry.data["format"] == ExportFormat.HTML
    assert entry.data["counts"] == {
        label: len(ids) for label, ids in _ids_held(records.person).items()
    }
    assert entry.data["files"] == 2
    logged = json.dumps(entry.data, ensure_ascii=False) + entry.object_repr
    for personal in ("Maria", "Tavares", "+2389911111", "maria.tavares", "Autorização"):
        assert personal not in logged


@pytest.mark.parametrize("name", ["privacy_access", "privacy_access_json", "privacy_access_zip"])
def test_a_person_of_another_unit_is_not_found(client, login_verified, make_staff, records, name):
    # Not Mindelo: the record was opened to Mindelo with the person's consent.
    elsewhere = UnitFactory(slug="sal-rei", name="Sal Rei", kind="local")
    login_verified(client, make_staff(Role.FRONT_OFFICE_OFFICER, elsewhere))
    response = client.get(reverse(f"backoffice:{name}", args=[records.person.pk]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.access.exported").exists()


@pytest.mark.parametrize("name", ["privacy_access", "privacy_access_json", "privacy_access_zip"])
def test_exports_are_kept_by_no_cache(client, login_verified, officer, records, name):
    login_verified(client, officer)
    response = client.get(reverse(f"backoffice:{name}", args=[records.person.pk]))
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end: the file is closed
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_persons_page_links_to_the_export(client, login_verified, officer, records):
    login_verified(client, officer)
    page = client.get(reverse("backoffice:person_detail", args=[records.person.pk]))
    link = reverse("backoffice:privacy_access", args=[records.person.pk])
    assert re.search(
        rf'<a href="{re.escape(link)}" id="access-export-link">', page.content.decode()
    )


def test_the_staff_page_shows_the_document_in_the_persons_language(client, login_verified,
                                                                   make_staff, unit, other_unit,
                                                                   officer, settings):  # fmt: skip
    records = person_with_records(officer=officer, unit=unit, other_unit=other_unit,
                                  language="fr")  # fmt: skip
    reader = make_staff(Role.UNIT_COORDINATOR, unit, language="en")
    login_verified(client, reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the log-in sets it
    page = client.get(reverse("backoffice:privacy_access", args=[records.person.pk])).content
    html = page.decode()
    assert '<article class="access-document" lang="fr" dir="ltr">' in html
    with translation.override("fr"):
        consent = str(Purpose.REFERRAL.label)
    assert consent in unescape(html)
    assert '<html lang="en"' in html
    assert "Download as JSON" in html


def test_the_json_file_is_the_export_rendered(officer, records):
    export = export_person(person=records.person, actor=officer, now=AT, format=ExportFormat.JSON)
    data = json.loads(render_json(export))
    assert data["person"] == str(records.person.pk)
    assert data["exported_at"] == "2026-03-02T09:00:00-01:00"
    assert data["language"] == "pt"

"""The demo's people can be handed their access export: every case, consent and file each
declaration finds on them is in it. Ibrahima sent a document by e-mail: it is listed in the
JSON with the checksum of its bytes, and the archive holds those bytes where the JSON says.
``load_demo`` takes about a second on SQLite."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from coop4int.accounts.models import User
from coop4int.cases.models import CaseAttachment
from coop4int.core.personal_data import declarations
from coop4int.people.models import Person
from coop4int.privacy.access_document import render_document, render_json, write_zip
from coop4int.privacy.domain.access import ExportFormat, export_person

pytestmark = pytest.mark.django_db


def test_the_access_export_of_a_demo_person_holds_every_case_consent_and_file():
    call_command("load_demo", verbosity=0)
    officer = User.objects.get(username="tecnico.praia")
    people = Person.objects.filter(is_demo=True, cases__isnull=False).distinct()
    assert people.count() >= 2
    for person in people:
        export = export_person(
            person=person, actor=officer, now=timezone.now(), format=ExportFormat.JSON
        )
        exported = json.loads(render_json(export))["records"]
        for declaration in declarations():
            held = {str(pk) for pk in declaration.rows_of(person).values_list("pk", flat=True)}
            assert {row["id"] for row in exported[declaration.model]} == held, declaration.model
        assert exported["cases.Case"]
        assert exported["people.Consent"]
        assert {row["id"] for row in exported["cases.CaseAttachment"]} == {
            str(pk) for pk in person.cases.values_list("interactions__files", flat=True) if pk
        }
        document = render_document(export, standalone=True)
        for case in person.cases.all():
            assert case.reference in document


def test_the_demo_document_a_person_sent_is_in_their_json_and_their_archive():
    call_command("load_demo", verbosity=0)
    officer = User.objects.get(username="tecnico.praia")
    person = Person.objects.get(is_demo=True, family_names="Sow (demo)")
    attachments = list(CaseAttachment.objects.filter(interaction__case__person=person))
    assert attachments, "the demo holds a file on Ibrahima's case"

    export = export_person(
        person=person, actor=officer, now=timezone.now(), format=ExportFormat.ZIP
    )
    rows = {
        row["id"]: row for row in json.loads(render_json(export))["records"]["cases.CaseAttachment"]
    }
    archive_bytes = io.BytesIO()
    write_zip(export, archive_bytes)
    archive = zipfile.ZipFile(archive_bytes)

    for attachment in attachments:
        with default_storage.open(attachment.file.name) as stored:
            data = stored.read()
        assert data.startswith(b"%PDF-")
        [listed] = rows[str(attachment.pk)]["files"]
        assert listed["size"] == len(data) == attachment.size
        assert listed["sha256"] == hashlib.sha256(data).hexdigest()
        assert "missing" not in listed
        assert archive.read(listed["path"]) == data
    assert json.loads(archive.read("access.json"))["records"]["cases.CaseAttachment"]

"""The demo's people can be handed their access export: every case, consent and file each
declaration finds on them is in it (the demo holds no case file yet: the comparison of
files is then of none). ``load_demo`` takes about a second on SQLite."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from coop4int.accounts.models import User
from coop4int.core.personal_data import declarations
from coop4int.people.models import Person
from coop4int.privacy.access_document import render_document, render_json
from coop4int.privacy.domain.access import ExportFormat, export_person

pytestmark = pytest.mark.django_db


def test_the_access_export_of_a_demo_person_holds_every_case_consent_and_file():
    call_command("load_demo", verbosity=0)
    person = Person.objects.filter(is_demo=True, cases__isnull=False).distinct().first()
    assert person is not None
    officer = User.objects.get(username="tecnico.praia")
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

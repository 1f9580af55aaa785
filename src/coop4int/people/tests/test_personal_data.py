"""Every kind of record on a person is declared once, and every declaration holds together.

The access export, erasure, the retention schedule and the register of processing read only
the declarations: a model that points to a person without one would escape all four.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise

from coop4int.core.personal_data import (
    PURPOSES,
    Erasure,
    PersonalData,
    declaration_for,
    declarations,
)
from coop4int.people.enums import Purpose
from coop4int.people.models import Person


def _points_to(model: type[models.Model], targets: set[type[models.Model]]) -> list[str]:
    """The foreign keys (and one-to-one fields) of ``model`` that lead to one of
    ``targets``."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model in targets
    ]


def models_about_a_person() -> dict[type[models.Model], list[str]]:
    """Every installed model that reaches ``people.Person`` by a foreign key or a chain of
    them, with the fields that lead there."""
    reaching: dict[type[models.Model], list[str]] = {Person: ["pk"]}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in reaching:
                continue
            fields = _points_to(model, set(reaching))
            if fields:
                reaching[model] = fields
                changed = True
    return reaching


def _resolve(model: type[models.Model], path: str) -> models.Field:
    """The field at the end of an ORM path; raises ``FieldDoesNotExist``."""
    if path == "pk":
        return model._meta.pk
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    assert field is not None
    return field


def test_every_model_that_points_to_a_person_is_declared():
    missing = [
        f"{model._meta.label} (through {', '.join(fields)})"
        for model, fields in models_about_a_person().items()
        if declaration_for(model) is None
    ]
    assert not missing, (
        "These models hold data about a person but no app declares them in its "
        "personal_data module: " + "; ".join(missing)
    )


def test_the_coverage_check_sees_chains_through_other_models():
    reaching = models_about_a_person()
    # Attachments point to an interaction, which points to a case, which points to a person.
    assert reaching[apps.get_model("cases", "CaseAttachment")] == ["interaction"]
    assert apps.get_model("directory", "Service") not in reaching


def test_each_model_is_declared_once():
    labels = [declaration.model for declaration in declarations()]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("declaration", declarations(), ids=lambda d: d.model)
def test_a_declaration_holds_together(declaration: PersonalData):
    model = declaration.model_class
    assert declaration.person_path or declaration.contact_fields
    for path in filter(None, (declaration.person_path, *declaration.other_person_paths)):
        target = _resolve(model, path)
        landed_on = model if path == "pk" else target.related_model
        assert landed_on is Person, f"{declaration.model}.{path} does not lead to a person"
    for name in declaration.contact_fields:
        assert isinstance(model._meta.get_field(name), models.CharField)
    for name in declaration.export_fields:
        _resolve(model, name)
    assert declaration.purpose in PURPOSES
    assert str(declaration.description)
    assert str(declaration.legal_basis)
    if declaration.erasure == Erasure.ANONYMISE:
        assert declaration.anonymise is not None
        assert declaration.already_anonymised is not None
    if declaration.erasure == Erasure.KEEP:
        assert str(declaration.kept_because)
    retention = declaration.retention
    if retention.years_setting:
        assert isinstance(getattr(settings, retention.years_setting), int)
        assert isinstance(
            _resolve(model, retention.starts), models.DateField | models.DateTimeField
        )
        assert str(retention.description)
        assert declaration.erasure != Erasure.KEEP


def test_a_model_that_is_not_about_a_person_resolves_to_no_declaration():
    with pytest.raises(FieldDoesNotExist):
        _resolve(Person, "no_such_field")
    assert declaration_for("directory.Service") is None


def test_consent_purposes_are_purposes_of_processing():
    assert {purpose.value for purpose in Purpose} <= set(PURPOSES)


@pytest.mark.django_db
def test_every_declaration_finds_the_rows_of_a_person(unit):
    person = Person.objects.create(unit=unit, given_names="Ana")
    for declaration in declarations():
        # Runs each path as SQL: a path that the ORM cannot follow fails here.
        list(declaration.rows_of(person))
        list(declaration.to_strip(declaration.rows_of(person)))
    assert list(declaration_for(Person).rows_of(person)) == [person]


@pytest.mark.parametrize("declaration", declarations(), ids=lambda d: d.model)
def test_each_kind_of_record_is_named_in_the_readers_language(declaration: PersonalData):
    """The erasure preview, the retention report, the access export and the register name
    each kind by its model's names: they must be translatable, not Django's English default."""
    meta = declaration.model_class._meta
    assert {"verbose_name", "verbose_name_plural"} <= set(meta.original_attrs)
    assert isinstance(meta.verbose_name_plural, Promise)
    assert isinstance(meta.verbose_name, Promise)

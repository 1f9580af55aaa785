"""The indicator registry: analysts create and change indicators; every field is checked, the
code is fixed once a dataset is known by it, and each change is audited with what changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.observatory.domain.registry import create_indicator, update_indicator
from coop4int.observatory.enums import Concept, DatasetStatus, FileFormat, Periodicity
from coop4int.observatory.models import Dataset, Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit)


def _values(**overrides):
    values = {
        "code": "FOREIGN_NATIONALS",
        "names": {"pt": "Estrangeiros residentes", "en": "Foreign residents", "fr": ""},
        "definitions": {"en": "Residents who are not citizens of Cabo Verde."},
        "notes": {},
        "concept": Concept.FOREIGN_NATIONALS,
        "unit_measure": "PS",
        "decimals": 0,
        "dimensions": ["SEX", "CITIZENSHIP", "MUNICIPALITY"],
        "source": "INE Cabo Verde, RGPH 2021",
        "periodicity": Periodicity.DECENNIAL,
    }
    return values | overrides


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_an_analyst_creates_an_indicator_and_the_log_says_so(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    indicator.refresh_from_db()
    assert indicator.code == "FOREIGN_NATIONALS"
    # Empty texts are not kept: the French name falls back to another language.
    assert indicator.names == {"pt": "Estrangeiros residentes", "en": "Foreign residents"}
    assert indicator.dimensions == ["SEX", "CITIZENSHIP", "MUNICIPALITY"]
    entry = AuditEntry.objects.get(action="observatory.indicator.created")
    assert (entry.actor, entry.object_id, entry.data) == (
        analyst,
        str(indicator.pk),
        {"code": "FOREIGN_NATIONALS"},
    )


def test_the_platform_itself_may_create_an_indicator(db):
    indicator = create_indicator(actor=None, **_values(code="PLATFORM_CONTACTS"))

    assert AuditEntry.objects.get(action="observatory.indicator.created").actor is None
    assert indicator.code == "PLATFORM_CONTACTS"


def test_a_role_without_the_observatory_may_not_create_an_indicator(make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit)

    with pytest.raises(PermissionDenied):
        create_indicator(actor=officer, **_values())
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", "foreign"),
        ("code", "F"),
        ("code", "1ST_INDICATOR"),
        ("code", "WITH SPACE"),
        ("names", {"pt": "  ", "en": ""}),
        ("names", {"xx": "Unknown language"}),
        ("concept", "migrants"),
        ("unit_measure", "KG"),
        ("decimals", -1),
        ("decimals", 7),
        ("dimensions", ["SEX", "AGE GROUP"]),
        ("dimensions", ["SEX.AGE"]),
        ("dimensions", ["TIME_PERIOD"]),
        ("dimensions", ["OBS_VALUE"]),
        ("source", "   "),
        ("periodicity", "weekly"),
    ],
)
def test_a_field_that_does_not_fit_is_refused_by_name_and_nothing_is_saved(analyst, field, value):
    with pytest.raises(ValidationError) as refused:
        create_indicator(actor=analyst, **_values(**{field: value}))

    assert list(_problems(refused.value)) == [field]
    assert not Indicator.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="observatory.").exists()


def test_every_problem_is_said_at_once_in_the_readers_language(analyst):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        create_indicator(
            actor=analyst, **_values(code="x", names={}, source="", dimensions=["A B"])
        )

    problems = _problems(refused.value)
    assert set(problems) == {"code", "names", "source", "dimensions"}
    assert problems["names"] == ["Give the indicator a name in at least one language."]
    assert "A B" in problems["dimensions"][0]


def test_a_code_already_taken_is_refused(analyst):
    create_indicator(actor=analyst, **_values())

    with pytest.raises(ValidationError) as refused:
        create_indicator(actor=analyst, **_values(names={"en": "Another"}))

    assert list(_problems(refused.value)) == ["code"]
    assert Indicator.objects.count() == 1


def test_an_update_changes_the_fields_given_and_logs_their_names(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    update_indicator(
        indicator=indicator,
        actor=analyst,
        names={"pt": "Estrangeiros residentes", "fr": "Étrangers résidents"},
        decimals=1,
        source="INE Cabo Verde, RGPH 2021",  # unchanged
    )

    indicator.refresh_from_db()
    assert indicator.names == {"pt": "Estrangeiros residentes", "fr": "Étrangers résidents"}
    assert indicator.decimals == 1
    entry = AuditEntry.objects.get(action="observatory.indicator.updated")
    assert entry.data == {"fields": ["decimals", "names"]}


def test_an_update_that_changes_nothing_writes_no_entry(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    update_indicator(indicator=indicator, actor=analyst, **_values())

    assert not AuditEntry.objects.filter(action="observatory.indicator.updated").exists()


def test_an_update_refuses_a_field_that_does_not_fit_and_changes_nothing(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    with pytest.raises(ValidationError) as refused:
        update_indicator(indicator=indicator, actor=analyst, decimals=2, concept="nobody")

    assert list(_problems(refused.value)) == ["concept"]
    indicator.refresh_from_db()
    assert (indicator.decimals, indicator.concept) == (0, Concept.FOREIGN_NATIONALS)


def test_an_update_names_only_the_fields_of_an_indicator(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    with pytest.raises(TypeError):
        update_indicator(indicator=indicator, actor=analyst, status="published")


def test_the_code_may_change_while_no_dataset_is_known_by_it(analyst):
    indicator = create_indicator(actor=analyst, **_values())

    update_indicator(indicator=indicator, actor=analyst, code="FOREIGN_RESIDENTS")

    assert Indicator.objects.get().code == "FOREIGN_RESIDENTS"


def test_the_code_is_fixed_once_a_dataset_is_known_by_it(analyst):
    indicator = create_indicator(actor=analyst, **_values())
    Dataset.objects.create(
        public_id="FOREIGN_NATIONALS-v1",
        indicator=indicator,
        version=1,
        status=DatasetStatus.DISCARDED,
        source_name="INE",
        file_format=FileFormat.SDMX_CSV,
    )

    with pytest.raises(ValidationError) as refused:
        update_indicator(indicator=indicator, actor=analyst, code="FOREIGN_RESIDENTS", decimals=1)

    assert list(_problems(refused.value)) == ["code"]
    indicator.refresh_from_db()
    assert (indicator.code, indicator.decimals) == ("FOREIGN_NATIONALS", 0)
    # Its other fields still change.
    update_indicator(indicator=indicator, actor=analyst, code="FOREIGN_NATIONALS", decimals=1)
    indicator.refresh_from_db()
    assert indicator.decimals == 1


def test_the_code_cannot_become_another_indicators(analyst):
    create_indicator(actor=analyst, **_values())
    other = create_indicator(actor=analyst, **_values(code="FOREIGN_BORN"))

    with pytest.raises(ValidationError) as refused:
        update_indicator(indicator=other, actor=analyst, code="FOREIGN_NATIONALS")

    assert list(_problems(refused.value)) == ["code"]


def test_a_role_without_the_observatory_may_not_update_an_indicator(analyst, make_staff, unit):
    indicator = create_indicator(actor=analyst, **_values())
    trainer = make_staff(Role.TRAINER, unit)

    with pytest.raises(PermissionDenied):
        update_indicator(indicator=indicator, actor=trainer, decimals=3)
    indicator.refresh_from_db()
    assert indicator.decimals == 0

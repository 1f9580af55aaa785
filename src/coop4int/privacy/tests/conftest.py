import pytest

from coop4int.accounts.enums import Role
from coop4int.privacy.tests.records import Records, person_with_records


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Files are written under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def administrator(make_staff, national_unit):
    return make_staff(Role.ADMINISTRATOR, national_unit, email="chefe@example.cv")


@pytest.fixture
def records(officer, unit, other_unit) -> Records:
    return person_with_records(officer=officer, unit=unit, other_unit=other_unit)

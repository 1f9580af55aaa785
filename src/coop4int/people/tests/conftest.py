import pytest

from coop4int.accounts.enums import Role


@pytest.fixture(autouse=True)
def _erasure_journal(settings, tmp_path):
    """Each test writes its own erasure journal, never the data directory's."""
    settings.ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


@pytest.fixture
def coordinator(make_staff, unit):
    return make_staff(Role.UNIT_COORDINATOR, unit)

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The demo's case files are written under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The domain's messages are compared with their English source: whatever language an
    earlier test's request left active in this thread, these run in English."""
    with translation.override("en"):
        yield

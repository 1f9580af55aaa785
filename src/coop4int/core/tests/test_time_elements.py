"""No page carries an empty <time>: HTML requires a date in it (or in its datetime attribute),
and the base template is on every page."""

from html.parser import HTMLParser

import pytest

from coop4int.accounts.enums import Role

pytestmark = pytest.mark.django_db


class _Times(HTMLParser):
    """Each <time> element: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: list[tuple[dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "time":
            self._open.append((dict(attrs), []))

    def handle_data(self, data: str) -> None:
        for _attrs, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "time" and self._open:
            attrs, text = self._open.pop()
            self.found.append((attrs, "".join(text).strip()))


def _invalid_times(html: str) -> list[tuple[dict[str, str | None], str]]:
    parser = _Times()
    parser.feed(html)
    return [(attrs, text) for attrs, text in parser.found if not text or not attrs.get("datetime")]


PUBLIC = ["/pt/", "/kea/info/", "/en/directory/", "/fr/feedback/?page=/fr/", "/pt/ask/",
          "/pt/search/?q=visto", "/staff/login/"]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC)
def test_no_public_page_has_an_empty_time_element(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert _invalid_times(response.content.decode()) == []


def test_no_staff_page_has_an_empty_time_element(client, make_staff, unit, login_verified):
    login_verified(client, make_staff(Role.ADMINISTRATOR, unit))
    for path in ("/staff/", "/staff/cases/", "/staff/audit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _invalid_times(response.content.decode()) == [], path

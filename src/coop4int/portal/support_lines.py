"""The support lines a public page offers to call: the telephone lines of the country that have
a number a person can call, named in the reader's language."""

from typing import Any

from coop4int.directory.domain.queries import telephone_lines
from coop4int.directory.enums import Country
from coop4int.portal.presentation import line_card


def support_lines(language: str, country: str = Country.CABO_VERDE) -> list[dict[str, Any]]:
    """Each line's name and its numbers with their tel: addresses (``line_card``)."""
    lines = [line_card(line, country, language) for line in telephone_lines(country)]
    return [line for line in lines if line["phones"]]

"""What a phone really downloads for the home page: gzipped, and within 50 KB
(docs/adr/0011-compression.md)."""

import pytest

from coop4int.directory.tests.places import praia_desk, telephone_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 50 * 1024


def test_the_home_page_arrives_gzipped_and_within_50_kb(page, unit, other_unit):
    praia_desk(unit)
    telephone_line(name="Linha Nacional de Apoio ao Imigrante", number="+238 800 10 10")
    responses = []
    page.on("response", lambda response: responses.append(response))

    document = page.goto("/pt/", wait_until="networkidle")

    assert document is not None
    assert document.header_value("content-encoding") == "gzip"
    # Bytes on the wire, as the browser counted them (the page's own requests: the service
    # worker's copies are fetched in the background and kept for later).
    weight = sum(response.request.sizes()["responseBodySize"] for response in responses)
    assert len(responses) >= 3  # the page, its stylesheet and its script
    assert weight <= BUDGET, f"{weight} bytes"

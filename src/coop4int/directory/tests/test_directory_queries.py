from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from coop4int.directory.domain import queries
from coop4int.directory.domain.index import refresh_entries
from coop4int.directory.domain.queries import (
    DirectoryFilter,
    directory_entries,
    directory_facets,
    directory_page,
    opening_status,
)
from coop4int.directory.models import Schedule, TaxonomyTerm
from coop4int.directory.tests.places import make_place

PRAIA = ZoneInfo("Atlantic/Cape_Verde")


@pytest.fixture
def legal(db):
    return TaxonomyTerm.objects.create(
        name="Apoio jurídico", description="", names={"en": "Legal support"}
    )


@pytest.fixture
def places(unit, other_unit, legal):
    praia = make_place(
        unit=unit,
        name="Atendimento presencial — Praia",
        island="Santiago",
        municipality="Praia",
        subdivision="PR",
        languages=("pt", "kea", "fr"),
        walk_in=True,
        accessible=True,
        description="Apoio à imigração e documentação.",
        topic=legal,
    )
    mindelo = make_place(
        unit=other_unit,
        name="Atendimento com marcação — Mindelo",
        island="São Vicente",
        municipality="São Vicente",
        subdivision="SV",
        languages=("pt", "en"),
        walk_in=False,
        accessible=False,
    )
    # The intervals are written for five weeks from "now": the week of the fixed dates below,
    # whatever the real clock says.
    refresh_entries(now=BUILT_AT)
    return praia, mindelo


def names(criteria: DirectoryFilter, at: datetime) -> list[str]:
    return [entry.names["pt"] for entry in directory_entries(criteria, at)]


BUILT_AT = datetime(2026, 11, 23, 8, 0, tzinfo=PRAIA)
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=PRAIA)
WEDNESDAY_20 = datetime(2026, 11, 25, 20, 0, tzinfo=PRAIA)


def test_every_filter_narrows_the_list(places, legal):
    everything = names(DirectoryFilter(), WEDNESDAY_10)
    assert len(everything) == 2
    praia = ["Atendimento presencial — Praia"]
    assert names(DirectoryFilter(language="fr"), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(island="Santiago"), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(municipality="Praia"), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(walk_in=True), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(accessible=True), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(topic=legal.pk), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(language="zh"), WEDNESDAY_10) == []


def test_search_ignores_case_and_accents(places):
    assert names(DirectoryFilter(q="IMIGRACAO"), WEDNESDAY_10) == ["Atendimento presencial — Praia"]
    assert names(DirectoryFilter(q="marcacao mindelo"), WEDNESDAY_10) == [
        "Atendimento com marcação — Mindelo"
    ]


def test_open_now_follows_the_hours(places):
    assert len(names(DirectoryFilter(open_now=True), WEDNESDAY_10)) == 2
    assert names(DirectoryFilter(open_now=True), WEDNESDAY_20) == []


def test_entries_say_when_they_close_and_open(places):
    entry = directory_entries(DirectoryFilter(language="fr"), WEDNESDAY_10).get()
    status = opening_status([entry], WEDNESDAY_10)[entry.pk]
    assert status.open_until == datetime(2026, 11, 25, 16, 0, tzinfo=PRAIA)
    status = opening_status([entry], WEDNESDAY_20)[entry.pk]
    assert status.open_until is None
    assert status.opens_next == datetime(2026, 11, 26, 8, 0, tzinfo=PRAIA)


def test_a_place_open_through_the_night_closes_when_it_really_closes(places):
    praia, _mindelo = places
    Schedule.objects.filter(location=praia.location).update(
        byday="", opens_at=time(0), closes_at=time(0)
    )
    refresh_entries(service_ids=[praia.service_id], now=WEDNESDAY_10)
    entry = directory_entries(DirectoryFilter(language="fr"), WEDNESDAY_20).get()
    # Open all day every day: stored cut at midnight, shown as one stretch.
    status = opening_status([entry], WEDNESDAY_20)[entry.pk]
    assert status.open_until is not None
    assert status.open_until >= datetime(2026, 12, 2, 20, 0, tzinfo=PRAIA)
    assert names(DirectoryFilter(open_now=True, language="fr"), WEDNESDAY_20) == [
        "Atendimento presencial — Praia"
    ]


def test_a_national_holiday_closes_the_unit(places):
    # 13 January 2026, a Tuesday, is Democracy and Freedom Day in Cabo Verde.
    holiday = datetime(2026, 1, 13, 10, 0, tzinfo=PRAIA)
    refresh_entries(now=datetime(2026, 1, 12, 8, 0, tzinfo=PRAIA))
    assert names(DirectoryFilter(open_now=True), holiday) == []
    assert len(names(DirectoryFilter(open_now=True), datetime(2026, 1, 14, 10, tzinfo=PRAIA))) == 2


def test_facets_offer_only_values_some_entry_has(places, legal):
    facets = directory_facets()
    assert facets.islands == ["Santiago", "São Vicente"]
    assert facets.languages == ["en", "fr", "kea", "pt"]
    assert [topic.id for topic in facets.topics] == [str(legal.pk)]
    assert facets.topics[0].names == {"en": "Legal support"}


def test_both_page_plans_give_the_same_pages(places, monkeypatch):
    criteria = DirectoryFilter(open_now=True)
    collected = list(directory_page(criteria, WEDNESDAY_10, 1, 1).object_list)
    monkeypatch.setattr(queries, "MANY_MATCHES", 0)  # walk by name from the first match
    walked = list(directory_page(criteria, WEDNESDAY_10, 1, 1).object_list)
    assert collected == walked
    assert directory_page(criteria, WEDNESDAY_10, 2, 1).paginator.count == 2


def test_the_directory_box_finds_a_service_by_its_topics_name_in_any_language(places):
    praia = ["Atendimento presencial — Praia"]
    assert names(DirectoryFilter(q="legal support"), WEDNESDAY_10) == praia
    assert names(DirectoryFilter(q="apoio juridico"), WEDNESDAY_10) == praia

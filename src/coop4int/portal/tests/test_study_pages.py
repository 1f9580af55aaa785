"""The public library of studies: the list with its filters, a study's page and its PDF, in
every interface language — the study's title and abstract always in its own language, marked
so and named in the reader's ("in Portuguese") — and the site's search leading to it. Drafts
and withdrawn studies answer 404, as a missing one does; the PDF is always a download that
can run nothing."""

import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coop4int.core.files import DOWNLOAD_POLICY
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.domain.studies import add_study, publish_study, withdraw_study
from coop4int.observatory.models import Study

pytestmark = pytest.mark.django_db

LANGUAGES = ["pt", "kea", "en", "fr"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# The study's language (Portuguese) as each interface names it.
PORTUGUESE = {"pt": "português", "kea": "purtuges", "en": "Portuguese", "fr": "portugais"}


def _(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def url(name: str, *args: object, language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"portal:{name}", args=args)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def health():
    return TaxonomyTerm.objects.create(
        name="Saúde", description="", language="pt",
        names={"pt": "Saúde", "kea": "Saúdi", "en": "Health", "fr": "Santé"},
    )  # fmt: skip


def make_study(*, publish: bool = True, **changes: object) -> Study:
    values: dict[str, object] = {
        "title": "Imigrantes e acesso à saúde em Cabo Verde",
        "authors": "Ana Lopes; João Tavares",
        "published_on": date(2025, 11, 20),
        "language": "pt",
        "abstract": (
            "Como os imigrantes chegam aos centros de saúde.\n\nInquérito de 2024 em 3 ilhas."
        ),
        "topics": [],
        "licence": "CC-BY-4.0",
    }
    values |= changes
    study = add_study(
        actor=None, upload=SimpleUploadedFile("e.pdf", PDF, "application/pdf"), **values
    )
    if publish:
        study = publish_study(study=study, actor=None, now=NOW)
    return study


@pytest.fixture
def study(health):
    return make_study(topics=[health])


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_in_every_language_shows_each_study_in_its_own_language(client, study, language):
    response = client.get(url("studies", language=language))
    assert response.status_code == 200
    body = text(response)
    assert f'<html lang="{language}"' in body
    assert f"<h1>{_(language, 'Studies and reports')}</h1>" in body
    link = f'<a href="/{language}/observatory/studies/{study.slug}/" lang="pt" dir="ltr">'
    assert f"{link}{study.title}</a>" in body
    in_portuguese = _(language, "In %(language)s") % {"language": PORTUGUESE[language]}
    assert in_portuguese in body
    # Its topic, named in the reader's language.
    topic = {"pt": "Saúde", "kea": "Saúdi", "en": "Health", "fr": "Santé"}[language]
    assert f'<span lang="{language}" dir="ltr">{topic}</span>' in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_studys_page_in_every_language(client, study, language):
    response = client.get(url("study", study.slug, language=language))
    assert response.status_code == 200
    body = text(response)
    assert f'<html lang="{language}"' in body
    assert f'<h1 lang="pt" dir="ltr">{study.title}</h1>' in body
    abstract = re.search(r'<div lang="pt" dir="ltr" class="info study-abstract">(.*?)</div>',
                         body, re.S)  # fmt: skip
    assert abstract is not None
    assert "Como os imigrantes chegam aos centros de saúde." in abstract.group(1)
    assert "Ana Lopes; João Tavares" in body
    assert '<time datetime="2025-11-20">' in body
    assert _(language, "In %(language)s") % {"language": PORTUGUESE[language]} in body
    # Written in the reader's language, or said not to be.
    written_in = _(
        language,
        "This study is written in %(language)s: its title and abstract are shown as its "
        "authors wrote them.",
    ) % {"language": PORTUGUESE[language]}
    assert (written_in in body) is (language != "pt")
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license" lang="en">'
        "Creative Commons Attribution 4.0</a>"
    ) in body
    assert f'href="/{language}/observatory/studies/{study.slug}/file/" download' in body
    size = {"pt": "bytes", "kea": "byte", "en": "bytes", "fr": "octets"}[language]
    assert re.search(rf"PDF, \S*{len(PDF)}\S*\s{size}", body), size


def test_the_pdf_is_a_download_that_runs_nothing(client, study):
    response = client.get(url("study_file", study.slug, language="fr"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{study.slug}.pdf"'
    assert response["Content-Security-Policy"] == DOWNLOAD_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_drafts_and_withdrawn_studies_answer_404_like_a_missing_one(client, study):
    draft = make_study(publish=False, title="Rascunho")
    withdrawn = make_study(title="Retirado")
    withdraw_study(study=withdrawn, actor=None, now=NOW)
    for hidden in (draft, withdrawn):
        assert client.get(url("study", hidden.slug)).status_code == 404
        assert client.get(url("study_file", hidden.slug)).status_code == 404
    assert client.get(url("study", "nenhum")).status_code == 404
    assert client.get(url("study_file", "nenhum")).status_code == 404
    listed = text(client.get(url("studies")))
    assert study.title in listed
    assert "Rascunho" not in listed
    assert "Retirado" not in listed


def test_the_list_filters_by_topic_language_year_and_words(client, study, health):
    french = make_study(
        title="Les migrants au Cap-Vert",
        language="fr",
        abstract="Un portrait statistique.",
        published_on=date(2024, 5, 1),
    )

    def titles(**query: object) -> list[str]:
        body = text(client.get(url("studies"), query))
        return re.findall(r'<h2><a href="[^"]+" lang="\w+" dir="ltr">([^<]+)</a></h2>', body)

    assert titles() == [study.title, french.title]
    assert titles(topic=str(health.pk)) == [study.title]
    assert titles(language="fr") == [french.title]
    assert titles(year="2024") == [french.title]
    assert titles(q="portrait") == [french.title]
    assert titles(q="santé") == [study.title]  # its topic, named in French
    assert titles(q="portrait", language="pt") == []
    # A value no study has (an old link) is left out; the other filters still apply.
    assert titles(year="1999", language="fr") == [french.title]
    empty = text(client.get(url("studies"), {"q": "nada"}))
    assert _("en", "No study matches. Try fewer filters or other words.") in empty


def test_the_lists_queries_do_not_grow_with_the_studies(client, health):
    make_study(topics=[health])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("studies")).status_code == 200
    for number in range(4):
        make_study(title=f"Estudo {number}", topics=[health])
    with CaptureQueriesContext(connection) as more:
        assert client.get(url("studies")).status_code == 200
    assert len(more) == len(few)


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_the_sites_search_finds_a_study_and_leads_to_its_page(client, study, language):
    response = client.get(f"/{language}/search/", {"q": "centros saude"})
    body = text(response)
    link = f'<a href="/{language}/observatory/studies/{study.slug}/">'
    assert link in body
    # The result is shown in the study's own language, marked so.
    assert re.search(rf'<h2 lang="pt">{re.escape(link)}', body)
    assert client.get(f"/{language}/observatory/studies/{study.slug}/").status_code == 200


def test_a_withdrawn_study_is_no_longer_found_by_the_sites_search(client, study):
    withdraw_study(study=study, actor=None, now=NOW)
    body = text(client.get("/en/search/", {"q": "centros saude"}))
    assert f"/observatory/studies/{study.slug}/" not in body

"""The studies library's domain: a study is a checked PDF (by its first bytes, not its name,
and not larger than the limit), added as a draft; publishing puts it in the site's search, in
its own language, where a reader of any language finds it; withdrawing takes it out. One
function changes a study's status, and refuses what its status does not allow."""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core import search
from coop4int.core.models import AuditEntry, SearchDocument
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.domain import studies
from coop4int.observatory.enums import StudyStatus
from coop4int.observatory.models import Study

# A minimal PDF: what matters to the check is its first bytes.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
NEW_PDF = b"%PDF-1.7\n% second edition\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english():
    """The refusals are compared in English (the default language is Portuguese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit)


@pytest.fixture
def health(db):
    return TaxonomyTerm.objects.create(
        name="Saúde", description="", language="pt",
        names={"pt": "Saúde", "en": "Health", "fr": "Santé", "kea": "Saúdi"},
    )  # fmt: skip


def pdf(content: bytes = PDF, name: str = "estudo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def details(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Imigrantes no mercado de trabalho em Cabo Verde",
        "authors": "Observatório das Migrações; Ana Lopes",
        "published_on": date(2025, 11, 20),
        "language": "pt",
        "abstract": "Retrato da inserção laboral dos imigrantes residentes, por ilha.",
        "topics": [],
        "licence": "CC-BY-4.0",
    }
    return values | changes


def add(actor, upload=None, **changes):
    return studies.add_study(actor=actor, upload=upload or pdf(), **details(**changes))


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# --- Adding ------------------------------------------------------------------------------------


def test_a_study_is_added_as_a_draft_with_its_files_size_and_digest(analyst, health, tmp_path):
    study = add(analyst, topics=[health])

    assert study.status == StudyStatus.DRAFT
    assert study.slug == "imigrantes-no-mercado-de-trabalho-em-cabo-verde"
    assert study.file_size == len(PDF)
    assert study.file_sha256 == hashlib.sha256(PDF).hexdigest()
    assert list(study.topics.all()) == [health]
    with study.file.open("rb") as stored:
        assert stored.read() == PDF
    assert study.file.name.endswith(f"{study.slug}.pdf")
    entry = AuditEntry.objects.get(action="observatory.study.added")
    assert entry.actor == analyst
    assert entry.data["sha256"] == study.file_sha256
    # A draft is not searchable.
    assert not SearchDocument.objects.filter(kind=studies.SEARCH_KIND).exists()


def test_the_same_title_twice_gets_a_second_address(analyst):
    first = add(analyst)
    second = add(analyst)
    assert (first.slug, second.slug) == (
        "imigrantes-no-mercado-de-trabalho-em-cabo-verde",
        "imigrantes-no-mercado-de-trabalho-em-cabo-verde-2",
    )


def test_an_address_the_staff_pages_use_or_a_title_without_latin_letters_gets_another(analyst):
    assert add(analyst, title="New").slug == "new-2"
    assert add(analyst, title="تقرير الهجرة", language="ar").slug == "study"


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (pdf(PNG, "grafico.pdf"), "This file is not a PDF."),
        (pdf(b"<html><script>alert(1)</script>", "estudo.pdf"), "This file is not a PDF."),
        (pdf(b"", "vazio.pdf"), "This file is not a PDF."),
    ],
    ids=["png-named-pdf", "html-named-pdf", "empty"],
)
def test_a_file_that_is_not_a_pdf_by_its_first_bytes_is_refused_and_nothing_kept(
    analyst, tmp_path, upload, reason
):
    with pytest.raises(ValidationError) as refused:
        add(analyst, upload=upload)
    assert reason in refused.value.message_dict["upload"][0]
    assert not Study.objects.exists()
    assert stored_files(tmp_path) == []
    assert not AuditEntry.objects.filter(action__startswith="observatory.study").exists()


def test_a_file_larger_than_the_limit_is_refused(analyst, settings, tmp_path):
    settings.OBSERVATORY_STUDY_MAX_MB = 1
    too_big = pdf(PDF + b"0" * (2**20))
    with pytest.raises(ValidationError) as refused:
        add(analyst, upload=too_big)
    assert refused.value.message_dict["upload"] == ["The file is too large: at most 1 MB."]
    assert not Study.objects.exists()
    assert stored_files(tmp_path) == []
    # Exactly at the limit is accepted.
    assert add(analyst, upload=pdf(PDF + b"0" * (2**20 - len(PDF)))).file_size == 2**20


def test_every_missing_detail_is_said_at_once(analyst):
    with pytest.raises(ValidationError) as refused:
        add(analyst, title="  ", authors="", abstract="", language="xx", licence="GPL",
            published_on=None)  # fmt: skip
    assert set(refused.value.message_dict) == {
        "title", "authors", "abstract", "language", "licence", "published_on"
    }  # fmt: skip
    assert not Study.objects.exists()


def test_only_those_who_manage_the_observatory_may_add_a_study(make_staff, national_unit):
    editor = make_staff(Role.CONTENT_EDITOR, national_unit)
    with pytest.raises(PermissionDenied):
        add(editor)
    assert not Study.objects.exists()


# --- Publishing and the site's search ----------------------------------------------------------


def test_a_published_study_is_found_by_the_sites_search_in_its_own_language(analyst, health):
    study = add(analyst, topics=[health])
    studies.publish_study(study=study, actor=analyst, now=NOW)
    study.refresh_from_db()

    assert study.status == StudyStatus.PUBLISHED
    assert study.published_at == NOW
    assert AuditEntry.objects.filter(action="observatory.study.published").count() == 1
    # A reader of Portuguese, and a reader of French, find it — in Portuguese, marked so.
    for reader in ("pt", "fr", "en"):
        hits = search.search("mercado trabalho", reader).hits
        assert [(hit.kind, hit.key, hit.language) for hit in hits] == [
            ("study", str(study.pk), "pt")
        ]
        assert hits[0].url == f"observatory/studies/{study.slug}/"
    # By its authors, and by its topic named in another language.
    assert [hit.key for hit in search.search("Lopes", "en").hits] == [str(study.pk)]
    assert [hit.key for hit in search.search("santé", "fr").hits] == [str(study.pk)]


def test_a_withdrawn_study_leaves_the_search_and_may_be_published_again(analyst):
    study = add(analyst)
    studies.publish_study(study=study, actor=analyst, now=NOW)
    studies.withdraw_study(study=study, actor=analyst, now=LATER)
    study.refresh_from_db()

    assert study.status == StudyStatus.WITHDRAWN
    assert search.search("mercado", "pt").hits == []
    assert not SearchDocument.objects.filter(kind=studies.SEARCH_KIND).exists()
    assert AuditEntry.objects.filter(action="observatory.study.withdrawn").count() == 1

    studies.publish_study(study=study, actor=analyst, now=LATER)
    assert [hit.key for hit in search.search("mercado", "pt").hits] == [str(study.pk)]


def test_a_status_the_study_cannot_go_to_is_refused_and_nothing_changes(analyst):
    study = add(analyst)
    with pytest.raises(ValidationError, match=r"Only a published study can be withdrawn\."):
        studies.withdraw_study(study=study, actor=analyst, now=NOW)
    studies.publish_study(study=study, actor=analyst, now=NOW)
    with pytest.raises(ValidationError, match="already published"):
        studies.publish_study(study=study, actor=analyst, now=LATER)
    study.refresh_from_db()
    assert (study.status, study.published_at) == (StudyStatus.PUBLISHED, NOW)
    assert AuditEntry.objects.filter(action="observatory.study.published").count() == 1


# --- Correcting --------------------------------------------------------------------------------


def test_correcting_a_published_study_corrects_what_the_search_finds(analyst):
    study = add(analyst)
    studies.publish_study(study=study, actor=analyst, now=NOW)
    slug = study.slug

    studies.update_study(
        study=study, actor=analyst,
        **details(title="Immigrants in the labour market", language="en",
                  abstract="Where immigrants work, island by island."),
    )  # fmt: skip
    study.refresh_from_db()

    assert study.slug == slug  # the address stays
    assert search.search("mercado", "pt").hits == []
    hits = search.search("labour", "pt").hits
    assert [(hit.key, hit.language) for hit in hits] == [(str(study.pk), "en")]
    assert list(SearchDocument.objects.filter(kind="study").values_list("language", flat=True)) == [
        "en"
    ]
    entry = AuditEntry.objects.get(action="observatory.study.updated")
    assert set(entry.data["changed"]) == {"title", "language", "abstract"}


def test_a_new_file_takes_the_place_of_the_old_one(
    analyst, tmp_path, django_capture_on_commit_callbacks
):
    study = add(analyst)
    old = Path(study.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        studies.update_study(study=study, actor=analyst, upload=pdf(NEW_PDF), **details())
    study.refresh_from_db()

    assert study.file_size == len(NEW_PDF)
    assert study.file_sha256 == hashlib.sha256(NEW_PDF).hexdigest()
    with study.file.open("rb") as stored:
        assert stored.read() == NEW_PDF
    assert not old.exists()
    assert stored_files(tmp_path) == [Path(study.file.path)]


def test_a_correction_with_a_file_that_is_not_a_pdf_changes_nothing(analyst):
    study = add(analyst)
    with pytest.raises(ValidationError) as refused:
        studies.update_study(study=study, actor=analyst, upload=pdf(PNG),
                             **details(title="Outro título"))  # fmt: skip
    assert set(refused.value.message_dict) == {"upload"}
    study.refresh_from_db()
    assert study.title == "Imigrantes no mercado de trabalho em Cabo Verde"
    assert study.file_sha256 == hashlib.sha256(PDF).hexdigest()


# --- Reads -------------------------------------------------------------------------------------


def test_the_public_list_filters_by_topic_language_year_and_words(analyst, health):
    labour = add(analyst, topics=[health])
    french = add(analyst, title="Les migrants au Cap-Vert", language="fr",
                 abstract="Un portrait.", published_on=date(2024, 5, 1))  # fmt: skip
    draft = add(analyst, title="Rascunho sobre saúde", topics=[health])
    for study in (labour, french):
        studies.publish_study(study=study, actor=analyst, now=NOW)

    def slugs(**criteria):
        return [study.slug for study in studies.public_studies(**criteria)]

    assert slugs() == [labour.slug, french.slug]  # newest first, no draft
    assert slugs(topic=health) == [labour.slug]
    assert slugs(language="fr") == [french.slug]
    assert slugs(year=2024) == [french.slug]
    assert slugs(query="PORTRAIT") == [french.slug]
    assert slugs(query="sante") == [labour.slug]  # the topic, in any language
    assert slugs(query="portrait mercado") == []
    assert draft.slug not in slugs(query="rascunho")
    facets = studies.public_facets()
    assert (facets.topics, facets.languages, facets.years) == ([health], ["fr", "pt"], [2025, 2024])

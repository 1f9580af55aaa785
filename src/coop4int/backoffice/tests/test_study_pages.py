"""The analysts' pages of the studies library: a study uploaded is a draft; published, the
public reads it and the site's search finds it; withdrawn, it is gone from both. What the page
refuses (not a PDF, too large, a detail missing) is said beside the field in the page's
language, with what was typed kept and nothing stored. Only those who manage the observatory
open these pages."""

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.core.models import AuditEntry
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.domain.studies import add_study
from coop4int.observatory.enums import StudyStatus
from coop4int.observatory.models import Study

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Roles that do not manage the observatory.
OTHER_ROLES = sorted(set(Role) - {Role.ADMINISTRATOR, Role.ANALYST})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def analyst(make_staff, national_unit):
    return make_staff(Role.ANALYST, national_unit, username="analista")


@pytest.fixture
def health():
    return TaxonomyTerm.objects.create(
        name="Saúde", description="", language="pt",
        names={"pt": "Saúde", "en": "Health", "fr": "Santé"},
    )  # fmt: skip


def as_user(login_verified, user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def url(name: str, *args: object) -> str:
    return reverse(f"backoffice:{name}", args=args)


def pdf(content: bytes = PDF, name: str = "estudo.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def form(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "title": "Trabalho e imigração nas ilhas",
        "authors": "Ana Lopes",
        "published_on": "2025-11-20",
        "language": "pt",
        "abstract": "Um retrato do trabalho dos imigrantes nas ilhas de Cabo Verde.",
        "licence": "CC-BY-4.0",
        "upload": pdf(),
    }
    return values | changes


def in_page_language(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


def text(response) -> str:
    return unescape(response.content.decode())


def field_value(body: str, name: str) -> str:
    found = re.search(rf'<input type="text" name="{name}" value="([^"]*)"', body)
    return found.group(1) if found else ""


def test_an_analyst_uploads_publishes_and_the_public_reads_and_finds_the_study(
    login_verified, analyst, health, client
):
    staff = as_user(login_verified, analyst)
    added = staff.post(url("study_new"), form(topics=[str(health.pk)]))

    study = Study.objects.get()
    assert added.status_code == 302
    assert added["Location"] == url("study", study.slug)
    assert study.status == StudyStatus.DRAFT
    assert list(study.topics.all()) == [health]
    assert client.get(f"/pt/observatory/studies/{study.slug}/").status_code == 404
    page = text(staff.get(url("study", study.slug)))
    assert "Trabalho e imigração nas ilhas" in page
    assert text(staff.get(url("studies"))).count(url("study", study.slug)) == 1

    published = staff.post(url("study", study.slug), {"action": "publish"})
    assert published.status_code == 302
    assert published["Location"] == f"{url('study', study.slug)}#status"
    study.refresh_from_db()
    assert study.status == StudyStatus.PUBLISHED
    said = text(staff.get(url("study", study.slug)))
    done = "The study was published: it is in the public library and the site's search."
    assert in_page_language(published, done) in said
    assert f'href="/pt/observatory/studies/{study.slug}/"' in said  # its public page

    for language in ("pt", "fr"):
        public = client.get(f"/{language}/observatory/studies/{study.slug}/")
        assert public.status_code == 200
        assert "Trabalho e imigração nas ilhas" in text(public)
        found = text(client.get(f"/{language}/search/", {"q": "trabalho ilhas"}))
        assert f'href="/{language}/observatory/studies/{study.slug}/"' in found
    # Found by its topic named in French, too.
    found = text(client.get("/fr/search/", {"q": "santé"}))
    assert f'href="/fr/observatory/studies/{study.slug}/"' in found

    withdrawn = staff.post(url("study", study.slug), {"action": "withdraw"})
    assert withdrawn.status_code == 302
    assert client.get(f"/pt/observatory/studies/{study.slug}/").status_code == 404
    found = text(client.get("/pt/search/", {"q": "trabalho ilhas"}))
    assert f"/observatory/studies/{study.slug}/" not in found
    assert list(
        AuditEntry.objects.filter(action__startswith="observatory.study")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["observatory.study.added", "observatory.study.published", "observatory.study.withdrawn"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"upload": pdf(PNG, "grafico.pdf")}, "upload",
         "This file is not a PDF. Only PDF files can be added to the library."),
        ({"title": ""}, "title", "This field is required."),
        ({"upload": ""}, "upload", "Choose the study's PDF file."),
    ],
    ids=["not-a-pdf", "no-title", "no-file"],
)  # fmt: skip
def test_bad_input_is_said_beside_the_field_and_keeps_what_was_typed(
    login_verified, analyst, tmp_path, changes, field, message
):
    staff = as_user(login_verified, analyst)
    response = staff.post(url("study_new"), form(**changes))

    assert response.status_code == 400
    body = text(response)
    errors = re.search(rf'<div class="errors" id="id_{field}_errors">(.*?)</div>', body, re.S)
    assert errors is not None
    assert in_page_language(response, message) in errors.group(1)
    assert field_value(body, "authors") == "Ana Lopes"
    if field != "title":
        assert field_value(body, "title") == "Trabalho e imigração nas ilhas"
    assert "Um retrato do trabalho dos imigrantes" in body
    assert not Study.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_a_file_too_large_is_refused_in_the_page_language(login_verified, analyst, settings):
    settings.OBSERVATORY_STUDY_MAX_MB = 1
    staff = as_user(login_verified, analyst)
    staff.cookies["django_language"] = "fr"
    response = staff.post(url("study_new"), form(upload=pdf(PDF + b"0" * 2**20)))

    assert response.status_code == 400
    assert response.wsgi_request.LANGUAGE_CODE == "fr"
    with translation.override("fr"):
        expected = translation.gettext("The file is too large: at most %(mb)d MB.") % {"mb": 1}
    assert expected in text(response)
    assert not Study.objects.exists()


def test_correcting_a_study_keeps_its_address_and_a_new_file_takes_the_old_ones_place(
    login_verified, analyst
):
    study = add_study(actor=analyst, upload=pdf(), **{
        "title": "Trabalho e imigração", "authors": "Ana Lopes", "published_on": date(2025, 1, 5),
        "language": "pt", "abstract": "Retrato.", "topics": [], "licence": "CC-BY-4.0",
    })  # fmt: skip
    staff = as_user(login_verified, analyst)
    new = PDF + b"% second edition\n"
    saved = staff.post(
        url("study", study.slug),
        form(action="save", title="Trabalho, imigração e ilhas", upload=pdf(new)),
    )
    assert saved.status_code == 302
    study.refresh_from_db()
    assert (study.slug, study.title, study.file_size) == (
        "trabalho-e-imigracao", "Trabalho, imigração e ilhas", len(new)
    )  # fmt: skip

    # Without a file, the file stays; a bad one is refused beside its field, nothing changed.
    same = form(action="save", title="Trabalho, imigração e ilhas", upload="")
    kept = staff.post(url("study", study.slug), same)
    assert kept.status_code == 302
    refused = staff.post(url("study", study.slug),
                         form(action="save", title="Outro", upload=pdf(PNG)))  # fmt: skip
    assert refused.status_code == 400
    assert 'id="id_upload_errors"' in refused.content.decode()
    assert field_value(text(refused), "title") == "Outro"
    study.refresh_from_db()
    assert (study.title, study.file_size) == ("Trabalho, imigração e ilhas", len(new))


def test_publishing_twice_is_refused_with_a_message_and_changes_nothing(login_verified, analyst):
    staff = as_user(login_verified, analyst)
    staff.post(url("study_new"), form())
    study = Study.objects.get()
    staff.post(url("study", study.slug), {"action": "publish"})
    again = staff.post(url("study", study.slug), {"action": "publish"})

    assert again.status_code == 302
    body = text(staff.get(url("study", study.slug)))
    assert in_page_language(again, "This study is already published.") in body
    assert AuditEntry.objects.filter(action="observatory.study.published").count() == 1


def test_an_administrator_may_manage_the_studies(login_verified, make_staff, national_unit):
    staff = as_user(login_verified, make_staff(Role.ADMINISTRATOR, national_unit))
    assert staff.get(url("studies")).status_code == 200
    assert staff.get(url("study_new")).status_code == 200
    assert staff.post(url("study_new"), form()).status_code == 302


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_every_page_and_post(
    login_verified, make_staff, national_unit, analyst, role
):
    study = add_study(actor=analyst, upload=pdf(), **{
        "title": "Estudo", "authors": "A", "published_on": date(2025, 1, 5), "language": "pt",
        "abstract": "R.", "topics": [], "licence": "CC-BY-4.0",
    })  # fmt: skip
    staff = as_user(login_verified, make_staff(role, national_unit))
    for address in (url("studies"), url("study_new"), url("study", study.slug)):
        assert staff.get(address).status_code == 403, address
    assert staff.post(url("study_new"), form()).status_code == 403
    assert staff.post(url("study", study.slug), {"action": "publish"}).status_code == 403
    assert Study.objects.get().status == StudyStatus.DRAFT
    assert Study.objects.count() == 1


def test_an_unknown_study_answers_404(login_verified, analyst):
    staff = as_user(login_verified, analyst)
    assert staff.get(url("study", "nenhum")).status_code == 404
    assert staff.post(url("study", "nenhum"), {"action": "publish"}).status_code == 404

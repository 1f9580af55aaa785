"""An editor opens a file of an information item — a draft waiting for review included —
before publishing it; the public cannot (``portal/tests/test_info_files.py``). On the page of
the item's text, a file added is a draft that someone other than the person who added it
publishes, and a published file gets a new version the same way."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from coop4int.accounts.enums import Role
from coop4int.content.domain.attachments import add_attachment, public_files, publish_attachment
from coop4int.content.domain.workflow import create_item
from coop4int.content.enums import AttachmentStatus, ItemKind
from coop4int.content.models import Attachment, ContentItem
from coop4int.core.models import AuditEntry

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW_PDF = b"%PDF-1.7\n% 2027 edition\ntrailer <<>>\n%%EOF\n"
PAGE = "/staff/content/linha/pt/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def item(author) -> ContentItem:
    return create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip


def _pdf(name: str = "cartao.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def draft(author, item) -> Attachment:
    return add_attachment(actor=author, item=item, language="pt", title="Cartão", upload=_pdf())


def _client(login_verified, user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _in_page_language(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


def _said_under_files(body: str) -> list[str]:
    """What an action said under the heading of the files."""
    block = re.search(r'<div class="messages" role="status" id="files-said">(.*?)</div>',
                      body, re.S)  # fmt: skip
    return re.findall(r'<p class="message message-\w+">(.*?)</p>', block.group(1)) if block else []


def _files_section(body: str) -> str:
    return body.split('<section aria-labelledby="files"', 1)[1].split("</section>", 1)[0]


def _state() -> tuple[list[dict], list[tuple[str, int]]]:
    """Every file and every audited change: a refused post leaves both as they were."""
    reads = Q(action__endswith=".viewed") | Q(action__endswith=".looked_up")
    writes = AuditEntry.objects.exclude(reads).order_by("pk").values_list("action", "pk")
    return list(Attachment.objects.order_by("pk").values()), list(writes)


def test_an_editor_opens_a_draft_file_to_review_it(client, login_verified, make_staff,
                                                   national_unit, draft):  # fmt: skip
    login_verified(client, make_staff(Role.CONTENT_EDITOR, national_unit))
    response = client.get(f"/staff/content/linha/files/{draft.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # Kept by no cache on the way, and shown by no browser as a page that could run anything.
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    # Not another item's file.
    assert client.get(f"/staff/content/other/files/{draft.pk}/").status_code == 404


# Adding a file --------------------------------------------------------------------------------


def test_a_file_added_on_the_page_is_a_draft_that_waits_for_someone_else(
    login_verified, author, item
):
    editor = _client(login_verified, author)

    response = editor.post(PAGE, {"action": "attach", "title": "Folheto", "upload": _pdf()})

    assert response.url == f"{PAGE}#files"
    attachment = Attachment.objects.get()
    assert (attachment.status, attachment.uploaded_by) == (AttachmentStatus.DRAFT, author)
    assert list(public_files(item, "pt")) == []
    page = editor.get(PAGE)
    said = "The file was added as a draft. Someone else must open it and publish it."
    assert _said_under_files(page.content.decode()) == [escape(_in_page_language(page, said))]


# Who may publish it ---------------------------------------------------------------------------


def test_each_file_links_to_its_preview_and_says_whether_it_is_public(
    login_verified, author, reviewer, item, draft
):
    published = add_attachment(actor=author, item=item, language="pt", title="Folheto",
                               upload=_pdf("folheto.pdf"))  # fmt: skip
    publish_attachment(actor=reviewer, attachment=published)

    page = _client(login_verified, reviewer).get(PAGE)

    files = _files_section(page.content.decode())
    for attachment in (draft, published):
        preview = f'<a href="/staff/content/linha/files/{attachment.pk}/"'
        assert f'{preview} id="attachment-{attachment.pk}">{attachment.title}</a>' in files
    with translation.override(page.wsgi_request.LANGUAGE_CODE):
        draft_label, published_label = (
            str(AttachmentStatus.DRAFT.label),
            str(AttachmentStatus.PUBLISHED.label),
        )
    # Drafts first, each with its status.
    assert files.index(draft.title) < files.index(draft_label) < files.index(published.title)
    assert published_label in files.split(published.title, 1)[1]


def test_the_person_who_added_a_file_is_not_offered_to_publish_it(login_verified, author, draft):
    page = _client(login_verified, author).get(PAGE)

    files = _files_section(page.content.decode())
    assert 'value="publish_file"' not in files
    waits = "Someone other than the person who added this file must open it and publish it."
    assert escape(_in_page_language(page, waits)) in files


def test_publishing_ones_own_file_by_a_forged_post_is_refused_and_changes_nothing(
    login_verified, author, draft
):
    editor = _client(login_verified, author)
    before = _state()

    response = editor.post(PAGE, {"action": "publish_file", "attachment": draft.pk})

    assert response.url == f"{PAGE}#files"
    assert _state() == before
    page = editor.get(PAGE)
    refused = "Someone other than the person who added this file must review and publish it."
    assert _said_under_files(page.content.decode()) == [escape(_in_page_language(page, refused))]


def test_a_second_editor_publishes_the_file_and_is_back_at_the_files(
    login_verified, reviewer, item, draft
):
    second = _client(login_verified, reviewer)
    offered = _files_section(second.get(PAGE).content.decode())
    assert f'name="attachment" value="{draft.pk}"' in offered
    assert 'value="publish_file"' in offered

    response = second.post(PAGE, {"action": "publish_file", "attachment": draft.pk})

    assert response.status_code == 302
    assert response.url == f"{PAGE}#files"
    draft.refresh_from_db()
    assert (draft.status, draft.published_by) == (AttachmentStatus.PUBLISHED, reviewer)
    assert list(public_files(item, "pt")) == [draft]
    assert AuditEntry.objects.filter(action="content.attachment.published", actor=reviewer).exists()
    page = second.get(PAGE)
    assert page.context["focus"] == "files"
    body = page.content.decode()
    said = _in_page_language(page, "The file was published.")
    assert _said_under_files(body) == [escape(said)]
    assert '<h2 id="files" tabindex="-1" aria-describedby="files-said">' in body
    assert 'value="publish_file"' not in _files_section(body)


def test_a_file_published_twice_is_published_once(login_verified, reviewer, draft):
    second = _client(login_verified, reviewer)
    second.post(PAGE, {"action": "publish_file", "attachment": draft.pk})
    second.get(PAGE)  # the first press's message, said
    before = _state()

    response = second.post(PAGE, {"action": "publish_file", "attachment": draft.pk})

    assert response.url == f"{PAGE}#files"
    assert _state() == before
    page = second.get(PAGE)
    said = _in_page_language(page, "This file was already published.")
    assert _said_under_files(page.content.decode()) == [escape(said)]


@pytest.mark.parametrize(
    "posted",
    ["another item's", "another language's", "none", "0", "-3", "abc", "99999999999999999999", ""],
)
def test_a_file_that_is_not_one_of_the_pages_is_refused_and_changes_nothing(
    login_verified, author, reviewer, item, posted
):
    other = create_item(actor=author, slug="guia", kind=ItemKind.GUIDE, source_language="pt",
                        title="Guia")  # fmt: skip
    elsewhere = {
        "another item's": add_attachment(actor=author, item=other, language="pt", title="Guia",
                                         upload=_pdf()).pk,
        "another language's": add_attachment(actor=author, item=item, language="en",
                                             title="Card", upload=_pdf()).pk,
        "none": 4242,
    }  # fmt: skip
    second = _client(login_verified, reviewer)
    before = _state()

    response = second.post(
        PAGE, {"action": "publish_file", "attachment": elsewhere.get(posted, posted)}
    )

    assert response.status_code == 302
    assert response.url == f"{PAGE}#files"
    assert _state() == before
    page = second.get(PAGE)
    said = _in_page_language(page, "That file is not one of this page's. Nothing was changed.")
    assert _said_under_files(page.content.decode()) == [escape(said)]


# A new version of a published file ----------------------------------------------------------


@pytest.fixture
def published(reviewer, draft) -> Attachment:
    return publish_attachment(actor=reviewer, attachment=draft)


def test_a_new_version_waits_beside_the_published_file_until_someone_else_publishes_it(
    login_verified, author, reviewer, item, published
):
    editor = _client(login_verified, author)
    assert f'id="replace-{published.pk}"' in _files_section(editor.get(PAGE).content.decode())

    response = editor.post(PAGE, {"action": "replace_file", "attachment": published.pk,
                                  "upload": _pdf("2027.pdf", NEW_PDF)})  # fmt: skip

    assert response.url == f"{PAGE}#files"
    new = Attachment.objects.get(replaces=published)
    assert (new.status, new.title, new.uploaded_by) == (AttachmentStatus.DRAFT, "Cartão", author)
    # The public keeps the old file meanwhile.
    assert list(public_files(item, "pt")) == [published]
    page = editor.get(PAGE)
    files = _files_section(page.content.decode())
    said = (
        "The new version was added as a draft. The public gets the old one until someone "
        "else opens the new one and publishes it."
    )
    assert _said_under_files(page.content.decode()) == [escape(_in_page_language(page, said))]
    # Not another version while this one waits.
    assert f'id="replace-{published.pk}"' not in files
    waiting = "A new version of this file is already waiting for review."
    assert escape(_in_page_language(page, waiting)) in files

    second = _client(login_verified, reviewer)
    second.post(PAGE, {"action": "publish_file", "attachment": new.pk})

    assert list(public_files(item, "pt")) == [new]
    published.refresh_from_db()
    assert published.status == AttachmentStatus.REPLACED
    # The replaced file is no longer listed; the new one can get a version in its turn.
    files = _files_section(second.get(PAGE).content.decode())
    assert f"attachment-{published.pk}" not in files
    assert f'id="replace-{new.pk}"' in files


@pytest.mark.parametrize(
    ("which", "upload", "reason"),
    [
        ("draft", _pdf, "Only a published file can be replaced."),
        ("published", lambda: SimpleUploadedFile("x.pdf", b"<html>", "application/pdf"),
         "Only PDF, PNG and JPEG files can be attached."),
        ("published", lambda: "", "Choose the file of the new version. Nothing was changed."),
    ],
)  # fmt: skip
def test_a_new_version_that_cannot_be_is_refused_and_changes_nothing(
    login_verified, author, reviewer, item, draft, which, upload, reason
):
    target = draft
    if which == "published":
        target = publish_attachment(actor=reviewer, attachment=draft)
    editor = _client(login_verified, author)
    before = _state()

    response = editor.post(PAGE, {"action": "replace_file", "attachment": target.pk,
                                  "upload": upload()})  # fmt: skip

    assert response.url == f"{PAGE}#files"
    assert _state() == before
    page = editor.get(PAGE)
    assert _said_under_files(page.content.decode()) == [escape(_in_page_language(page, reason))]

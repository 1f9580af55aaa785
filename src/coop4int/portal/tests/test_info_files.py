"""The files of an information item reach the public once a second editor has published
them: before, their download answers 404 as a missing file does, and the page does not list
them. A file is always a download that can run nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coop4int.accounts.enums import Role
from coop4int.content.domain.attachments import (
    add_attachment,
    publish_attachment,
    replace_attachment,
)
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW_PDF = b"%PDF-1.7\n% 2027 edition\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def editor(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def card(editor, reviewer):
    item = create_item(actor=editor, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    text = save_text(actor=editor, item=item, language="pt", title="Linha", summary="", body="")
    submit_for_review(actor=editor, translation=text)
    publish(actor=reviewer, translation=text)
    return item


def download(client, attachment):
    """The answer and the file's bytes (read to the end, which closes the file)."""
    response = client.get(f"/pt/info/linha/files/{attachment.pk}/")
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_a_file_is_public_only_once_a_second_editor_published_it(card, editor, reviewer, client):
    upload = SimpleUploadedFile("cartao.pdf", PDF, content_type="application/pdf")
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=upload)  # fmt: skip
    link = f"/pt/info/linha/files/{attachment.pk}/"

    assert download(client, attachment)[0].status_code == 404
    assert link not in client.get("/pt/info/linha/").content.decode()

    publish_attachment(actor=reviewer, attachment=attachment)

    response, body = download(client, attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert body == PDF
    assert link in client.get("/pt/info/linha/").content.decode()


def test_a_new_version_takes_the_place_of_the_old_one_once_published(
    card, editor, reviewer, client
):
    upload = SimpleUploadedFile("cartao.pdf", PDF, content_type="application/pdf")
    old = add_attachment(actor=editor, item=card, language="pt", title="Cartão", upload=upload)
    publish_attachment(actor=reviewer, attachment=old)
    upload = SimpleUploadedFile("cartao.pdf", NEW_PDF, content_type="application/pdf")
    new = replace_attachment(actor=editor, attachment=old, upload=upload)

    # Until then the public gets the old one, and not the new one.
    response, body = download(client, old)
    assert (response.status_code, body) == (200, PDF)
    assert download(client, new)[0].status_code == 404

    publish_attachment(actor=reviewer, attachment=new)
    assert download(client, old)[0].status_code == 404
    response, body = download(client, new)
    assert (response.status_code, body) == (200, NEW_PDF)
    page = client.get("/pt/info/linha/").content.decode()
    assert f"/files/{new.pk}/" in page
    assert f"/files/{old.pk}/" not in page


def test_a_file_of_another_item_or_none_answers_404(card, editor, reviewer, client):
    upload = SimpleUploadedFile("cartao.pdf", PDF, content_type="application/pdf")
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=upload)  # fmt: skip
    publish_attachment(actor=reviewer, attachment=attachment)
    assert client.get(f"/pt/info/outra/files/{attachment.pk}/").status_code == 404
    assert client.get(f"/pt/info/linha/files/{attachment.pk + 1}/").status_code == 404


def test_a_file_is_a_download_that_runs_nothing_if_a_browser_shows_it(
    card, editor, reviewer, client
):
    upload = SimpleUploadedFile("cartao.pdf", PDF, content_type="application/pdf")
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=upload)  # fmt: skip
    publish_attachment(actor=reviewer, attachment=attachment)
    response, _body = download(client, attachment)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in response["Content-Security-Policy"].split(";")
    }
    assert policy["default-src"] == "default-src 'none'"
    assert policy["sandbox"] == "sandbox"
    assert "script-src" not in policy

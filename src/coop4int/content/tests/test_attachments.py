import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from coop4int.accounts.enums import Role
from coop4int.content.domain.attachments import MAX_BYTES, add_attachment
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.content.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def editor(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def card(editor, make_staff, national_unit):
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=editor, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    text = save_text(actor=editor, item=item, language="pt", title="Linha", summary="", body="")
    submit_for_review(actor=editor, translation=text)
    publish(actor=reviewer, translation=text)
    return item


def test_a_pdf_is_attached_and_downloaded_by_the_public(card, editor, client):
    upload = SimpleUploadedFile("cartao.pdf", PDF, content_type="application/pdf")
    attachment = add_attachment(
        actor=editor, item=card, language="pt", title="Cartão", upload=upload
    )
    page = client.get("/pt/info/linha/").content.decode()
    assert f"/pt/info/linha/files/{attachment.pk}/" in page
    response = client.get(f"/pt/info/linha/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cartao.pdf", b"<html><script>alert(1)</script></html>"),  # a page named .pdf
        ("virus.exe", b"MZ\x90\x00\x03"),
        ("empty.pdf", b""),
    ],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_stored(card, editor, name, data):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    with pytest.raises(ValidationError):
        add_attachment(actor=editor, item=card, language="pt", title="X", upload=upload)
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(card, editor):
    upload = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * MAX_BYTES, content_type="application/pdf"
    )
    with pytest.raises(ValidationError):
        add_attachment(actor=editor, item=card, language="pt", title="X", upload=upload)
    assert not Attachment.objects.exists()


def test_the_upload_form_says_why_in_the_editors_language(card, editor, client, login_verified):
    login_verified(client, editor)
    response = client.post(
        "/staff/content/linha/pt/",
        {"action": "attach", "title": "Cartão",
         "upload": SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'value="Cartão"' in response.content.decode()
    assert not Attachment.objects.exists()

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.content.domain.attachments import (
    MAX_BYTES,
    add_attachment,
    files_for_editor,
    public_files,
    publish_attachment,
    replace_attachment,
)
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import AttachmentStatus, ItemKind
from coop4int.content.models import Attachment
from coop4int.core.models import AuditEntry

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NEW_PDF = b"%PDF-1.7\n% 2027 edition\ntrailer <<>>\n%%EOF\n"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


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


def pdf(data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile("cartao.pdf", data, content_type="application/pdf")


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def test_a_fresh_upload_is_a_draft_that_the_public_does_not_get(card, editor):
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=pdf())  # fmt: skip
    assert attachment.status == AttachmentStatus.DRAFT
    assert not attachment.is_public
    assert (attachment.published_by, attachment.published_at) == (None, None)
    assert list(public_files(card, "pt")) == []
    entry = AuditEntry.objects.get(action="content.attachment.added")
    assert entry.data["attachment"] == attachment.pk


def test_the_person_who_added_a_file_cannot_publish_it_alone(card, editor):
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=pdf())  # fmt: skip
    before = actions()
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Someone other than the person who added"),
    ):
        publish_attachment(actor=editor, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.status == AttachmentStatus.DRAFT
    assert list(public_files(card, "pt")) == []
    assert actions() == before


def test_a_second_editor_reviews_and_publishes_it_and_it_is_public(card, editor, reviewer):
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=pdf())  # fmt: skip
    publish_attachment(actor=reviewer, attachment=attachment, now=AT)
    attachment.refresh_from_db()
    assert attachment.status == AttachmentStatus.PUBLISHED
    assert (attachment.published_by, attachment.published_at) == (reviewer, AT)
    assert list(public_files(card, "pt")) == [attachment]
    entry = AuditEntry.objects.get(action="content.attachment.published")
    assert entry.actor == reviewer
    assert entry.data == {"attachment": attachment.pk, "language": "pt", "replaces": None}


def test_a_file_published_already_is_not_published_again(card, editor, reviewer, make_staff,
                                                          national_unit):  # fmt: skip
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=pdf())  # fmt: skip
    publish_attachment(actor=reviewer, attachment=attachment, now=AT)
    before = actions()
    third = make_staff(Role.CONTENT_EDITOR, national_unit)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already published"),
    ):
        publish_attachment(actor=third, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.published_by == reviewer
    assert actions() == before


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE_OFFICER, Role.UNIT_COORDINATOR])
def test_only_content_editors_add_or_publish_files(card, editor, make_staff, unit, role):
    outsider = make_staff(role, unit)
    with pytest.raises(PermissionDenied):
        add_attachment(actor=outsider, item=card, language="pt", title="X", upload=pdf())
    attachment = add_attachment(actor=editor, item=card, language="pt", title="Cartão",
                                upload=pdf())  # fmt: skip
    with pytest.raises(PermissionDenied):
        publish_attachment(actor=outsider, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.status == AttachmentStatus.DRAFT


def test_a_new_version_is_a_draft_and_the_public_keeps_the_old_file_until_it_is_published(
    card, editor, reviewer
):
    old = add_attachment(actor=editor, item=card, language="pt", title="Cartão", upload=pdf())
    publish_attachment(actor=reviewer, attachment=old)

    new = replace_attachment(actor=reviewer, attachment=old, upload=pdf(NEW_PDF))
    assert (new.status, new.replaces, new.title) == (AttachmentStatus.DRAFT, old, "Cartão")
    assert list(public_files(card, "pt")) == [old]
    replaced = AuditEntry.objects.get(action="content.attachment.replaced")
    assert (replaced.data["attachment"], replaced.data["replaces"]) == (new.pk, old.pk)
    # Who made the new version may not publish it, though they published the old one.
    with pytest.raises(ValidationError):
        publish_attachment(actor=reviewer, attachment=new)
    assert list(public_files(card, "pt")) == [old]

    publish_attachment(actor=editor, attachment=new)
    old.refresh_from_db()
    assert old.status == AttachmentStatus.REPLACED
    assert list(public_files(card, "pt")) == [new]
    published = (
        AuditEntry.objects.filter(action="content.attachment.published").order_by("pk").last()
    )
    assert published.data["replaces"] == old.pk


def test_only_a_published_file_is_replaced_and_one_new_version_at_a_time(card, editor, reviewer):
    draft = add_attachment(actor=editor, item=card, language="pt", title="Cartão", upload=pdf())
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Only a published file"),
    ):
        replace_attachment(actor=editor, attachment=draft, upload=pdf(NEW_PDF))
    publish_attachment(actor=reviewer, attachment=draft)
    replace_attachment(actor=editor, attachment=draft, upload=pdf(NEW_PDF))
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already waiting for review"),
    ):
        replace_attachment(actor=reviewer, attachment=draft, upload=pdf(NEW_PDF))
    assert Attachment.objects.count() == 2


def test_a_new_version_is_checked_like_a_first_file(card, editor, reviewer):
    old = add_attachment(actor=editor, item=card, language="pt", title="Cartão", upload=pdf())
    publish_attachment(actor=reviewer, attachment=old)
    with pytest.raises(ValidationError):
        replace_attachment(actor=editor, attachment=old,
                           upload=pdf(b"<html><script>alert(1)</script></html>"))  # fmt: skip
    assert Attachment.objects.count() == 1


def test_editors_see_drafts_first_and_who_may_publish_each(card, editor, reviewer):
    published = add_attachment(actor=editor, item=card, language="pt", title="A", upload=pdf())
    publish_attachment(actor=reviewer, attachment=published)
    draft = add_attachment(actor=editor, item=card, language="pt", title="B", upload=pdf())
    add_attachment(actor=editor, item=card, language="fr", title="C", upload=pdf())

    as_author = files_for_editor(item=card, language="pt", editor=editor)
    assert [(row.attachment, row.may_publish) for row in as_author] == [
        (draft, False),
        (published, False),
    ]
    as_reviewer = files_for_editor(item=card, language="pt", editor=reviewer)
    assert [(row.attachment, row.may_publish) for row in as_reviewer] == [
        (draft, True),
        (published, False),
    ]


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

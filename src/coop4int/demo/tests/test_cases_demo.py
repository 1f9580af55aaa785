import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from coop4int.accounts.models import User
from coop4int.cases.enums import Channel, Direction, Status
from coop4int.cases.models import CannedAnswerText, Case, CaseAttachment, Referral
from coop4int.core.backup import stored_names
from coop4int.core.models import AuditEntry
from coop4int.demo import cases as demo_cases
from coop4int.demo.cases import CERTIFICATE_FILENAME
from coop4int.demo.documents import one_page_pdf
from coop4int.observatory.models import Study

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_channels_and_statuses_once():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    cases = Case.objects.filter(unit__slug="praia", is_demo=True)
    assert {c.channel for c in cases} == {Channel.WALK_IN, Channel.PHONE, Channel.EMAIL,
                                          Channel.WEB}  # fmt: skip
    assert {c.status for c in cases} >= {Status.RESOLVED, Status.NEW, Status.WAITING_PERSON,
                                         Status.WAITING_PARTNER}  # fmt: skip
    assert cases.count() == 5
    referral = Referral.objects.get(case__in=cases)
    assert referral.partner.slug == "centro-saude-achada"
    assert CannedAnswerText.objects.filter(answer__is_demo=True).count() == 7
    assert all(c.person is None or c.person.is_demo for c in cases)


def test_the_demo_holds_a_document_a_person_sent_by_e_mail_filed_like_real_mail():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    attachment = CaseAttachment.objects.select_related("interaction__case__person").get()
    interaction = attachment.interaction
    assert interaction.case.person.family_names == "Sow (demo)"
    assert interaction.case.channel == Channel.EMAIL
    assert interaction.case.status == Status.WAITING_PERSON
    # Filed by the mailbox: an incoming e-mail with its Message-ID, in the person's language,
    # audited as any interaction.
    assert (interaction.channel, interaction.direction) == (Channel.EMAIL, Direction.IN)
    assert interaction.message_id.endswith("@demo.coop4int.example>")
    assert interaction.language == "fr"
    assert AuditEntry.objects.filter(
        action="cases.interaction.added", object_id=str(interaction.case.pk)
    ).exists()
    assert (attachment.filename, attachment.content_type) == (CERTIFICATE_FILENAME,
                                                              "application/pdf")  # fmt: skip
    # Kept in the configured storage, under a name of its own, the bytes a PDF reader opens.
    assert attachment.file.name.startswith("cases/")
    assert attachment.file.name.rsplit("/", 1)[-1] != CERTIFICATE_FILENAME
    with default_storage.open(attachment.file.name) as stored:
        data = stored.read()
    assert len(data) == attachment.size
    assert data.startswith(b"%PDF-1.4")
    assert data.rstrip().endswith(b"%%EOF")
    # Beside it, only the study the observatory's demo adds to its library.
    study = Study.objects.get()
    assert sorted(stored_names(default_storage)) == sorted([attachment.file.name, study.file.name])


def test_a_demo_that_fails_half_way_leaves_no_file_behind(monkeypatch):
    def fail(**kwargs: object) -> None:
        raise RuntimeError("the database went away")

    # After the e-mail with the document was filed.
    monkeypatch.setattr(demo_cases, "add_note", fail)
    with pytest.raises(RuntimeError):
        call_command("load_demo", verbosity=0)

    assert not CaseAttachment.objects.exists()
    assert not Case.objects.exists()
    assert stored_names(default_storage) == []


def test_the_demo_document_is_a_pdf_whose_table_points_at_its_objects():
    pdf = one_page_pdf("Attestation (démo)", ["Nom : Ibrahima (Sow)", "back\\slash"])

    assert pdf.startswith(b"%PDF-1.4\n")
    table = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert pdf[table:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in pdf[table:].split(b"\n")[3:8]]
    assert [pdf[o:].split(b"\n", 1)[0] for o in offsets] == [
        b"%d 0 obj" % number for number in range(1, 6)
    ]
    # Accents in Windows-1252, parentheses and backslashes escaped.
    assert b"(Attestation \\(d\xe9mo\\))" in pdf
    assert b"(Nom : Ibrahima \\(Sow\\))" in pdf
    assert b"(back\\\\slash)" in pdf


def test_the_officer_finds_the_demo_document_on_the_case_page_and_downloads_it(
    client, login_verified
):
    call_command("load_demo", verbosity=0)
    attachment = CaseAttachment.objects.select_related("interaction__case").get()
    case = attachment.interaction.case
    login_verified(client, User.objects.get(username="tecnico.praia"))
    link = reverse("backoffice:case_file", args=[case.reference, attachment.pk])

    page = client.get(reverse("backoffice:case_detail", args=[case.reference]))
    download = client.get(link)

    assert page.status_code == 200
    assert f'href="{link}"' in page.text
    assert CERTIFICATE_FILENAME in page.text
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    with default_storage.open(attachment.file.name) as stored:
        assert b"".join(download.streaming_content) == stored.read()

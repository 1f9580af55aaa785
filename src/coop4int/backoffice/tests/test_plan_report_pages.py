"""A local integration plan's monitoring pages: a semester's report filled in, sent and
approved or sent back (frozen once approved), its deviations said in words, the evaluation's
questions and answers, replies to the public's comments, the change history in words and the
printable summary."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import UnitFactory
from coop4int.backoffice.tests.access_matrix_plan_objects import PlanObjects
from coop4int.content.models import Feedback
from coop4int.localplans.domain import reports
from coop4int.localplans.enums import CommentKind, EvaluationStage, ReportStatus
from coop4int.localplans.models import EvaluationAnswer, PlanComment

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(AT, tick=False):
        yield


@pytest.fixture
def praia(national_unit):
    return UnitFactory(
        slug="praia", name="Praia", kind="local", parent=national_unit, municipality="Praia"
    )


@pytest.fixture
def mindelo(national_unit):
    return UnitFactory(
        slug="mindelo", name="Mindelo", kind="local", parent=national_unit,
        municipality="São Vicente",
    )  # fmt: skip


@pytest.fixture
def plans(praia):
    return PlanObjects(praia).made()


@pytest.fixture
def coordinator(client, login_verified, make_staff, praia):
    user = make_staff(Role.MUNICIPAL_COORDINATOR, praia, first_name="Ana", last_name="Lopes")
    login_verified(client, user)
    return user


@pytest.fixture
def aai(client, login_verified, make_staff, national_unit):
    user = make_staff(Role.ADMINISTRATOR, national_unit)
    login_verified(client, user)
    return user


def report_url(report):
    return reverse("backoffice:plan_report", args=[report.plan.slug, report.year, report.semester])


def save_data(plans, *, progress="45", value="150", summary="Semestre difícil."):
    measure, indicator = plans.measure.pk, plans.indicator.pk
    return {
        "action": "save", "summary": summary, f"progress_{measure}": progress,
        f"status_{measure}": "in_progress", f"comment_{measure}": "Obras atrasadas.",
        f"value_{indicator}": value, f"vcomment_{indicator}": "Contagem do balcão.",
    }  # fmt: skip


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- The report -------------------------------------------------------------------------------


def test_coordinator_saves_the_report_and_an_indicator_under_target_is_said_in_words(
    client, coordinator, plans
):
    report = plans.draft_report

    response = client.post(report_url(report), save_data(plans, value="150"), **EN)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Semestre difícil."
    entry = report.entries.get()
    assert (entry.progress, entry.comment) == (45, "Obras atrasadas.")
    page = text_of(client.get(report_url(report), **EN))
    # 2026, first semester: halfway from the 2025 target (200) to the 2026 one (400).
    assert "Expected by the end of the semester: 300" in page
    assert "Under target: 150 where 300 was expected." in page
    assert "1 indicator under its target" in page


def test_an_indicator_without_a_value_and_a_late_measure_are_flagged_in_words(
    client, coordinator, plans
):
    plans.measure.__class__.objects.filter(pk=plans.measure.pk).update(ends_on=date(2026, 3, 31))
    client.post(report_url(plans.draft_report), save_data(plans, value=""), **EN)

    page = text_of(client.get(report_url(plans.draft_report), **EN))

    assert "No value: the value of this indicator for the semester is not known yet." in page
    assert "Late: by the end of the semester this measure should have" in page
    assert "1 measure late" in page
    assert "1 value missing" in page


def test_a_progress_above_100_is_refused_beside_its_field_and_what_was_typed_is_kept(
    client, coordinator, plans
):
    report = plans.draft_report

    response = client.post(report_url(report), save_data(plans, progress="140"), **EN)

    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert 'value="140"' in body
    assert _fresh_entry(report).progress == 30


def _fresh_entry(report):
    return report.entries.get()


def test_coordinator_sends_the_report_and_it_is_read_only_while_waiting(client, coordinator, plans):
    report = plans.draft_report

    response = client.post(report_url(report), {"action": "submit"}, **EN)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    body = client.get(report_url(report), **EN).content.decode()
    assert f'name="progress_{plans.measure.pk}"' not in body
    assert "Waiting for approval." in body
    assert 'value="approve"' not in body  # AAI's button, not the coordinator's


def test_coordinator_may_not_approve_a_report(client, coordinator, plans):
    report = plans.draft_report
    reports.transition_report(actor=coordinator, report=report, to=ReportStatus.SUBMITTED)

    response = client.post(report_url(report), {"action": "approve"}, **EN)

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_aai_approves_a_report_which_is_then_frozen(client, aai, plans):
    report = plans.draft_report
    reports.transition_report(actor=None, report=report, to=ReportStatus.SUBMITTED)

    response = client.post(report_url(report), {"action": "approve"}, **EN)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    body = client.get(report_url(report), **EN).content.decode()
    assert "Frozen." in body
    assert f'name="progress_{plans.measure.pk}"' not in body
    # Saving it anyway is refused, with the reason, and nothing changes.
    refused = client.post(report_url(report), save_data(plans), **EN)
    assert refused.status_code == 400
    assert "frozen" in refused.content.decode()
    report.refresh_from_db()
    assert report.summary == ""


def test_aai_sends_a_report_back_only_with_a_reason_which_the_coordinator_reads(
    client, aai, plans, login_verified, make_staff, praia
):
    report = plans.draft_report
    reports.transition_report(actor=None, report=report, to=ReportStatus.SUBMITTED)

    without = client.post(report_url(report), {"action": "return", "reason": ""}, **EN)
    assert without.status_code == 400
    assert "Say why the report is sent back." in without.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    client.post(report_url(report), {"action": "return", "reason": "Faltam valores."}, **EN)
    report.refresh_from_db()
    assert (report.status, report.returned_reason) == (ReportStatus.DRAFT, "Faltam valores.")
    login_verified(client, make_staff(Role.MUNICIPAL_COORDINATOR, praia))
    page = text_of(client.get(report_url(report), **EN))
    assert "AAI sent this report back. Their reason: Faltam valores." in page


def test_coordinator_opens_a_semester_report_and_cannot_open_it_twice(client, coordinator, plans):
    url = reverse("backoffice:plan_reports", args=[plans.plan.slug])

    response = client.post(url, {"action": "open", "year": "2025", "semester": "1"}, **EN)

    opened = plans.plan.reports.get(year=2025, semester=1)
    assert response.status_code == 302
    assert response["Location"] == report_url(opened)
    again = client.post(url, {"action": "open", "year": "2025", "semester": "1"}, **EN)
    assert again.status_code == 400
    assert "already open" in again.content.decode()
    listing = text_of(client.get(url, **EN))
    assert "2025, first semester" in listing
    assert "2025, second semester" in listing


def test_another_municipalitys_coordinator_gets_404_on_every_monitoring_page(
    client, login_verified, make_staff, mindelo, plans
):
    login_verified(client, make_staff(Role.MUNICIPAL_COORDINATOR, mindelo))
    slug = plans.plan.slug
    urls = [report_url(plans.draft_report)] + [
        reverse(name, args=[slug])
        for name in (
            "backoffice:plan_reports",
            "backoffice:plan_evaluation",
            "backoffice:plan_comments",
            "backoffice:plan_history",
            "backoffice:plan_print",
        )
    ]
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)


def test_a_partner_reads_the_history_and_summary_but_not_the_reports(
    client, login_verified, make_staff, praia, plans
):
    login_verified(client, make_staff(Role.PARTNER_USER, praia))
    slug = plans.plan.slug
    assert client.get(reverse("backoffice:plan_history", args=[slug])).status_code == 200
    assert client.get(reverse("backoffice:plan_print", args=[slug])).status_code == 200
    assert client.get(reverse("backoffice:plan_reports", args=[slug])).status_code == 403


# --- The evaluation ---------------------------------------------------------------------------


def test_coordinator_adds_a_question_in_two_languages_and_answers_it_at_mid_term(
    client, coordinator, plans
):
    url = reverse("backoffice:plan_evaluation", args=[plans.plan.slug])

    client.post(url, {"action": "add_question", "text_pt": "Quem foi ouvido?",
                      "text_fr": "Qui a été entendu ?"}, **EN)  # fmt: skip
    question = plans.plan.questions.get(text__pt="Quem foi ouvido?")
    assert question.text == {"pt": "Quem foi ouvido?", "fr": "Qui a été entendu ?"}
    response = client.post(url, {"action": "answer", "question": question.pk,
                                 "stage": EvaluationStage.MID_TERM, "language": "pt",
                                 "answer": "As associações."}, **EN)  # fmt: skip

    assert response.status_code == 302
    answer = EvaluationAnswer.objects.get(question=question)
    assert (answer.stage, answer.answer, answer.language) == ("mid_term", "As associações.", "pt")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Qui a été entendu ?" in page


def test_a_question_in_no_language_is_refused(client, coordinator, plans):
    url = reverse("backoffice:plan_evaluation", args=[plans.plan.slug])

    response = client.post(url, {"action": "add_question", "text_pt": "  "}, **EN)

    assert response.status_code == 400
    assert "Write the question in at least one language." in response.content.decode()
    assert plans.plan.questions.count() == 1


# --- The public's comments --------------------------------------------------------------------


def test_coordinator_replies_to_a_proposal_by_e_mail(client, coordinator, plans):
    feedback = Feedback.objects.create(
        route="portal:plan", page="/pt/plans/praia-2025-2027/", language="pt",
        message="Mais aulas de português.", contact_email="ana@example.cv",
    )  # fmt: skip
    comment = PlanComment.objects.create(plan=plans.plan, feedback=feedback,
                                         kind=CommentKind.PROPOSAL)  # fmt: skip
    url = reverse("backoffice:plan_comments", args=[plans.plan.slug])
    page = client.get(url, **EN).content.decode()
    assert "Mais aulas de português." in page
    # The matrix's comment left no address: it cannot be answered, and the page says so.
    assert "The sender left no address to reply to." in page

    response = client.post(url, {"action": "reply", "comment": comment.pk,
                                 "reply": "Obrigado pela proposta."}, **EN)  # fmt: skip

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.reply == "Obrigado pela proposta."
    assert [message.to for message in mail.outbox] == [["ana@example.cv"]]


def test_a_comment_of_another_plan_cannot_be_answered_from_this_one(client, coordinator, plans):
    feedback = Feedback.objects.create(page="/pt/", language="pt", message="Outro",
                                       contact_email="rui@example.cv")  # fmt: skip
    other = PlanComment.objects.create(
        plan=plans.submitted_plan, feedback=feedback, kind=CommentKind.COMMENT
    )
    url = reverse("backoffice:plan_comments", args=[plans.plan.slug])

    response = client.post(url, {"action": "reply", "comment": other.pk, "reply": "Sim"}, **EN)

    assert response.status_code in (200, 302, 400)
    feedback.refresh_from_db()
    assert feedback.replied_at is None
    assert mail.outbox == []


# --- The history and the summary --------------------------------------------------------------


def test_the_history_describes_each_change_in_words_with_its_code_kept_apart(
    client, coordinator, plans
):
    reports.transition_report(actor=coordinator, report=plans.draft_report,
                              to=ReportStatus.SUBMITTED)  # fmt: skip

    body = client.get(reverse("backoffice:plan_history", args=[plans.plan.slug]), **EN)

    html = body.content.decode()
    assert "A semester&#x27;s report was sent to AAI for approval." in html
    assert re.search(r'<code lang="zxx">.*localplans\.report\.submitted', html)
    assert "Ana Lopes" in html


def test_the_printable_summary_has_no_navigation_and_the_plan_on_paper(client, coordinator, plans):
    response = client.get(reverse("backoffice:plan_print", args=[plans.plan.slug]), **EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "staff-nav" not in html
    assert "backoffice/plan_print" in html
    page = text_of(response)
    for said in ("Governance", "Diagnosis", "Objectives and measures", "Budget and funding",
                 "Latest approved report", "Balcão de atendimento", "Pessoas atendidas",
                 "2025, second semester", "Câmara Municipal da Praia"):  # fmt: skip
        assert said in page, said

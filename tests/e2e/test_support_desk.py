"""Browser journeys of the support desk in the back office."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from coop4int.accounts.enums import Role
from coop4int.cases.models import Case
from tests.e2e.steps import in_language, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_walk_in_registration_to_a_resolved_case(page, make_staff, unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    log_in(page, officer)
    t = lambda message: in_language("pt", message)  # noqa: E731

    page.get_by_role("link", name=t("Support desk")).click()
    page.get_by_role("link", name=t("Register a walk-in or a call")).click()
    page.get_by_label(t("Given names")).fill("Aminata")
    page.get_by_label(t("Family names")).fill("Diallo")
    page.get_by_label(t("Preferred language")).select_option("fr")
    page.get_by_label(t("Phone")).fill("991 23 45")
    page.get_by_label(
        t("The person agrees that we use these details to handle the request")
    ).check()
    page.get_by_label(t("Subject")).fill("Renovar autorização de residência")
    page.get_by_label(t("What the person asks")).fill("Quer saber que documentos trazer.")
    page.get_by_role("button", name=t("Open the case")).click()

    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.reference}/$"))
    expect(page.locator(".timeline")).to_contain_text("Quer saber que documentos trazer.")
    page.get_by_label(t("Send by")).select_option("walk_in")
    page.get_by_label(t("Reply to the person")).fill("Traga o passaporte e duas fotografias.")
    page.get_by_role("button", name=t("Send the reply")).click()
    expect(page.locator(".timeline")).to_contain_text("Traga o passaporte")
    page.locator("#id_status-status").select_option("resolved")
    page.get_by_role("button", name=t("Change the status")).click()
    with translation.override("pt"):
        resolved = translation.pgettext("case", "Resolved")
    with_context = page.locator("dl.facts dd").first
    expect(with_context).to_have_text(re.compile(re.escape(resolved)))


def test_an_officer_of_another_unit_cannot_open_the_case(page, make_staff, unit, other_unit):
    from coop4int.cases.domain.cases import open_case
    from coop4int.cases.enums import Channel

    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    case, _secret = open_case(actor=colleague, unit=unit, channel=Channel.WALK_IN, subject="Visto")
    stranger = make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, language="pt")
    log_in(page, stranger)
    response = page.goto(f"/staff/cases/{case.reference}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text("Visto")).to_have_count(0)


def test_referral_accepted_by_the_partner_and_its_outcome_seen_by_the_officer(
    browser, live_server, make_staff, unit, partner_unit
):
    from coop4int.cases.domain.cases import open_case
    from coop4int.cases.enums import Channel
    from coop4int.directory.models import Service
    from coop4int.people.domain.people import PersonDetails, register_person

    t = lambda message: in_language("pt", message)  # noqa: E731
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    nurse = make_staff(Role.PARTNER_USER, partner_unit, language="pt")
    Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    person = register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
    )
    case, _secret = open_case(
        actor=officer, unit=unit, channel=Channel.WALK_IN, subject="Vacinação", person=person
    )

    def session(user):
        context = browser.new_context(base_url=live_server.url, locale="pt-PT")
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, user)
        return context, page

    # The officer stays logged in (a one-time code is never accepted twice).
    officer_context, page = session(officer)
    page.goto(f"/staff/cases/{case.reference}/")
    page.get_by_text(t("Record or withdraw consent")).click()
    page.get_by_label(t("Purpose")).select_option("referral")
    page.locator("#id_consent-method").select_option("verbal")
    page.get_by_role("button", name=t("Record the consent")).click()
    page.get_by_label(t("Partner service")).select_option(label="Consulta do viajante")
    page.get_by_label(t("What the partner needs to know")).fill(
        "Precisa da vacina da febre amarela."
    )
    page.get_by_role("button", name=t("Refer to the partner")).click()
    expect(page.locator("[aria-labelledby=referrals] ul")).to_contain_text("Consulta do viajante")
    officer_page = page

    context, page = session(nurse)
    page.get_by_role("link", name=t("Referrals received")).click()
    page.get_by_role("row", name=re.compile("Aminata Diallo")).get_by_role("link").click()
    expect(page.locator("blockquote")).to_contain_text("febre amarela")
    page.get_by_role("button", name=t("Accept")).click()
    page.locator("#id_outcome").select_option("served")
    page.get_by_role("button", name=t("Record the outcome")).click()
    context.close()

    officer_page.reload()
    referrals = officer_page.locator("[aria-labelledby=referrals] ul")
    expect(referrals).to_contain_text(t("The person was served"))
    officer_context.close()


def test_email_in_reply_out_and_the_answer_joins_the_case(page, make_staff, unit, smtp):
    from email.message import EmailMessage

    from coop4int.channels.email_in import file_message

    t = lambda message: in_language("pt", message)  # noqa: E731
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, unit, language="pt")
    first = EmailMessage()
    first["From"] = "Mariama Baldé <mariama@example.org>"
    first["To"] = "apoio@example.cv"
    first["Subject"] = "Renovação do visto"
    first["Message-ID"] = "<first@example.org>"
    first.set_content("Bom dia, o meu visto acaba em março. O que devo fazer?")
    case = file_message(bytes(first), unit=unit).case
    assert case is not None

    log_in(page, officer)
    page.goto(f"/staff/cases/{case.reference}/")
    expect(page.locator(".timeline")).to_contain_text("o meu visto acaba em março")
    page.get_by_label(t("Send by")).select_option("email")
    page.get_by_label(t("Reply to the person")).fill("Venha à unidade com o passaporte.")
    page.get_by_role("button", name=t("Send the reply")).click()
    expect(page.locator(".timeline")).to_contain_text("Venha à unidade com o passaporte.")

    # The reply reached the person's mailbox through SMTP (the acknowledgement came first).
    recipients, sent = smtp.messages[-1]
    assert recipients == ["mariama@example.org"]
    assert f"[{case.reference}]" in sent["Subject"]

    answer = EmailMessage()
    answer["From"] = "Mariama Baldé <mariama@example.org>"
    answer["To"] = "apoio@example.cv"
    answer["Subject"] = f"Re: {sent['Subject']}"
    answer["Message-ID"] = "<answer@example.org>"
    answer["In-Reply-To"] = sent["Message-ID"]
    answer.set_content("Obrigada, vou na segunda-feira.")
    assert file_message(bytes(answer), unit=unit).case == case

    page.reload()
    expect(page.locator(".timeline")).to_contain_text("Obrigada, vou na segunda-feira.")

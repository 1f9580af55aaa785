"""One way of writing a page with several actions (``backoffice.page_actions``): every staff
page with several actions declares them in a table; each form posts its action back to its own
section, and the page comes back there — what was done said under that section's heading, or
the form's problems shown in it — instead of at the top of the page."""

import inspect
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from coop4int.accounts.enums import Role
from coop4int.backoffice.call_views import PhoneLineView
from coop4int.backoffice.canned_views import CannedAnswersView
from coop4int.backoffice.case_views import CaseDetailView
from coop4int.backoffice.feedback_views import FeedbackView
from coop4int.backoffice.page_actions import ActionPage, ActionTable
from coop4int.backoffice.person_views import PersonDetailView
from coop4int.backoffice.referral_views import ReferralDetailView
from coop4int.backoffice.views import StaffDetailView
from coop4int.cases.domain.calls import schedule_callback
from coop4int.cases.domain.cases import add_note, change_status, open_case
from coop4int.cases.domain.referrals import refer_case
from coop4int.cases.enums import Channel, Status
from coop4int.cases.models import Case
from coop4int.content.models import Feedback
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

PAGES: dict[str, type[ActionPage]] = {
    "backoffice:case_detail": CaseDetailView,
    "backoffice:person_detail": PersonDetailView,
    "backoffice:phone_line": PhoneLineView,
    "backoffice:canned_answers": CannedAnswersView,
    "backoffice:referral_detail": ReferralDetailView,
    "backoffice:feedback_detail": FeedbackView,
    "backoffice:staff_detail": StaffDetailView,
}


class _Forms(HTMLParser):
    """The page's POST forms: where each posts to, and the actions it names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("id"):
            self.ids.add(str(named["id"]))
        if tag == "form" and named.get("method") == "post":
            self.forms.append((str(named.get("action") or ""), set()))
        elif tag in ("input", "button") and named.get("name") == "action" and self.forms:
            self.forms[-1][1].add(str(named.get("value")))


def _parse(body: str) -> _Forms:
    parser = _Forms()
    parser.feed(body)
    return parser


def _opens_on(response) -> str:
    """The section the page opens on (its messages under the heading)."""
    return response.context["focus"]


def _in_page_language(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


def _said_under(body: str, section: str) -> list[str]:
    block = re.search(rf'<div class="messages" role="status" id="{section}-said">(.*?)</div>',
                      body, re.S)  # fmt: skip
    return re.findall(r'<p class="message message-\w+">(.*?)</p>', block.group(1)) if block else []


def test_every_page_with_several_actions_declares_them_in_a_table():
    for name, view in PAGES.items():
        assert issubclass(view, ActionPage), name
        assert isinstance(view.actions, ActionTable), name
        source = inspect.getsource(view)
        # No ladder of "if the button was this one" left in the page.
        assert not re.search(r"""POST\.get\(["']action|action ==|in request\.POST""", source), name


@pytest.fixture
def admin(make_staff, unit):
    """A nationwide administrator at Praia: every one of these pages is theirs to use."""
    return make_staff(Role.ADMINISTRATOR, unit, username="chefe")


@pytest.fixture
def desk(client, login_verified, admin):
    login_verified(client, admin)
    return client


@pytest.fixture
def objects(admin, unit, partner_unit, make_staff):
    aminata = register_person(
        actor=admin, unit=unit,
        details=PersonDetails(given_names="Aminata", family_names="Diallo"),
        phones=["+2389912345"],
    )  # fmt: skip
    register_person(
        actor=admin, unit=unit, details=PersonDetails(given_names="Aminata", family_names="Diallo")
    )
    give_consent(actor=admin, person=aminata, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = open_case(actor=admin, unit=unit, channel=Channel.WALK_IN, subject="Visto",
                     person=aminata)[0]  # fmt: skip
    service = Service.objects.create(name="Consulta do viajante", unit=partner_unit)
    referral = refer_case(actor=admin, case=case, service=service, summary="Vacina",
                          share_phone=True)  # fmt: skip
    change_status(actor=admin, case=case, status=Status.RESOLVED)
    schedule_callback(actor=admin, case=case, phone="+2389912345", due_at=case.opened_at)
    feedback = Feedback.objects.create(
        page="/pt/", language="pt", message="Falta algo", contact_email="ana@example.cv"
    )
    return {
        "backoffice:case_detail": reverse("backoffice:case_detail", args=[case.reference]),
        "backoffice:person_detail": reverse("backoffice:person_detail", args=[aminata.pk]),
        "backoffice:phone_line": reverse("backoffice:phone_line") + "?number=991+23+45",
        "backoffice:canned_answers": reverse("backoffice:canned_answers"),
        "backoffice:referral_detail": reverse("backoffice:referral_detail", args=[referral.pk]),
        "backoffice:feedback_detail": reverse("backoffice:feedback_detail", args=[feedback.pk]),
        "backoffice:staff_detail": reverse(
            "backoffice:staff_detail",
            args=[make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="colega").username],
        ),
        "case": case,
    }


def test_each_form_posts_its_action_back_to_the_section_it_sits_in(desk, objects):
    for name, view in PAGES.items():
        response = desk.get(objects[name])
        body = response.content.decode()
        page = _parse(body)
        sections = view.actions.sections()
        leaving = {action.name for action in view.actions if action.leaves}
        shown: set[str] = set()
        for target, actions in page.forms:
            for action in actions & set(sections):
                # An action that leads to another page posts to the page itself: the
                # browser would carry the fragment on to the next page.
                expected = "" if action in leaving else f"#{sections[action]}"
                assert target == expected, (name, action, target)
                assert sections[action] in page.ids, (name, action)
            shown |= actions
        # Every button names an action of the table (the table's default takes the rest).
        assert shown <= set(sections), (name, shown - set(sections))
        # The page opens at the top when nothing was just done.
        assert _opens_on(response) == "", name


def test_an_action_returns_to_its_section_and_says_what_it_did_there(desk, objects):
    case = objects["case"]
    url = objects["backoffice:case_detail"]
    response = desk.post(url, {"action": "note", "note-note": "Ver documentos",
                               "note-version": Case.objects.get(pk=case.pk).version})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{url}#note"

    page = desk.get(url)
    body = page.content.decode()
    assert _opens_on(page) == "note"
    assert _said_under(body, "note") == [_in_page_language(page, "The note was added.")]
    assert body.count('class="messages"') == 1  # not said again at the top of the page
    # The browser focuses the heading the address names; what was done describes it.
    assert '<h2 id="note" tabindex="-1" aria-describedby="note-said">' in body

    # Once: the next visit opens at the top again.
    assert _opens_on(desk.get(url)) == ""


def test_a_form_with_problems_is_shown_again_at_its_section(desk, objects):
    url = objects["backoffice:case_detail"]
    response = desk.post(url, {"action": "status", "status-status": "lost",
                               "status-version": objects["case"].version})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert _opens_on(response) == "status"
    status = body.split('<section aria-labelledby="status"', 1)[1].split("</section>", 1)[0]
    assert 'role="alert"' in status


def test_someone_elses_change_is_said_in_the_form_that_was_sent(desk, objects, admin):
    case = objects["case"]
    old_version = Case.objects.get(pk=case.pk).version
    add_note(actor=admin, case=case, body="Meanwhile")
    response = desk.post(objects["backoffice:case_detail"], {
        "action": "reply", "reply-channel": "walk_in", "reply-body": "O meu texto",
        "reply-version": old_version,
    })  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert _opens_on(response) == "reply"
    reply = body.split('<section aria-labelledby="reply"', 1)[1].split("</section>", 1)[0]
    said = _in_page_language(
        response, "Someone else changed this case while you were working on it. Nothing was saved."
    )
    assert said in reply
    assert "O meu texto</textarea>" in reply
    assert f'name="reply-version" value="{Case.objects.get(pk=case.pk).version}"' in reply


def test_an_action_refused_goes_back_to_its_section_with_the_reason(desk, objects):
    url = objects["backoffice:case_detail"]
    response = desk.post(url, {"action": "withdraw_referral", "referral": "0"})
    assert response["Location"] == f"{url}#referrals"
    page = desk.get(url)
    body = page.content.decode()
    assert _opens_on(page) == "referrals"
    assert _said_under(body, "referrals") == [
        _in_page_language(page, "That referral is not one of this case's. Nothing was changed.")
    ]


def test_a_post_naming_no_action_of_the_page_changes_nothing_and_says_so(desk, objects):
    case = objects["case"]
    version = Case.objects.get(pk=case.pk).version
    url = objects["backoffice:case_detail"]
    response = desk.post(url, {"action": "delete"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert Case.objects.get(pk=case.pk).version == version
    page = desk.get(url)
    said = _in_page_language(page, "This page has no such action. Nothing was changed.")
    assert said in page.content.decode()


def test_a_page_with_a_default_action_takes_a_post_that_names_none(desk, objects):
    """The staff page's roles form, as posted before its form named its action."""
    url = objects["backoffice:staff_detail"]
    response = desk.post(url, {"roles": [Role.FRONT_OFFICE_OFFICER, Role.TRAINER]})
    assert response["Location"] == f"{url}#roles"


@pytest.mark.parametrize(
    ("name", "posted", "section"),
    [
        ("backoffice:person_detail",
         {"action": "consent", "consent-purpose": "contact", "consent-method": "verbal"},
         "consent"),
        ("backoffice:phone_line", {"action": "callback_done", "callback": "callback"},
         "callbacks"),
        ("backoffice:canned_answers",
         {"action": "save", "title": "Horário", "language": "pt", "body": "Abrimos às 8h."},
         "add"),
        ("backoffice:referral_detail", {"action": "accept"}, "answer"),
        ("backoffice:feedback_detail", {"action": "status", "status": "in_progress"}, "status"),
        ("backoffice:staff_detail", {"action": "disable"}, "access"),
    ],
)  # fmt: skip
def test_every_page_returns_to_the_section_of_the_action_and_says_so_there(
    desk, objects, name, posted, section
):
    from coop4int.cases.models import CallBack

    url = objects[name].split("?")[0]
    if posted.get("callback") == "callback":
        posted = posted | {"callback": CallBack.objects.get().pk}
    response = desk.post(url, posted)
    assert response.status_code == 302
    assert response["Location"] == f"{url}#{section}"
    page = desk.get(url)
    body = page.content.decode()
    assert _opens_on(page) == section
    said = _said_under(body, section)
    assert len(said) == 1
    assert 'class="message message-success"' in body

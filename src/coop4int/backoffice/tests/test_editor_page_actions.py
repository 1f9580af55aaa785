"""The directory's service editor, a partner's proposal and the page of an information text are
pages with several actions, written as every such page is (``backoffice.page_actions``): each
action returns to its own section, where what it did is said; a form with problems is shown
again at its section with what was typed; a post naming no action of the page changes nothing."""

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

import coop4int.backoffice
from coop4int.accounts.enums import Role
from coop4int.backoffice.content_views import ContentTextView
from coop4int.backoffice.directory_views import DirectoryServiceView, ProposalView
from coop4int.backoffice.page_actions import ActionPage, ActionTable
from coop4int.content.domain.attachments import add_attachment, publish_attachment
from coop4int.content.domain.workflow import create_item, publish, save_text, submit_for_review
from coop4int.content.enums import ItemKind
from coop4int.content.models import Attachment, ContentItem
from coop4int.core.models import AuditEntry
from coop4int.directory.models import ChangeProposal, Schedule, ServiceAtLocation
from coop4int.directory.tests.places import praia_desk

pytestmark = pytest.mark.django_db

# A Wednesday: the new hours and the closures posted below are ahead of it.
NOW = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _client(login_verified, user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _writes() -> list[tuple[str, Any]]:
    """Every audited change: a post that changes nothing leaves it as it was."""
    reads = Q(action__endswith=".viewed") | Q(action__endswith=".looked_up")
    return list(AuditEntry.objects.exclude(reads).order_by("pk").values_list("action", "pk"))


def _in_page_language(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


def _section(body: str, section: str) -> str:
    """The part of the page labelled by the section's heading."""
    return body.split(f'<section aria-labelledby="{section}"', 1)[1].split("</section>", 1)[0]


def _said_under(body: str, section: str) -> list[str]:
    block = re.search(rf'<div class="messages" role="status" id="{section}-said">(.*?)</div>',
                      body, re.S)  # fmt: skip
    return re.findall(r'<p class="message message-\w+">(.*?)</p>', block.group(1)) if block else []


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


# The pages and what their actions need -----------------------------------------------------


@dataclass
class Page:
    url: str
    editor: Client
    objects: dict[str, Any]


@pytest.fixture
def service_page(login_verified, make_staff, unit) -> Page:
    desk = praia_desk(unit)
    editor = _client(login_verified, make_staff(Role.CONTENT_EDITOR, unit))
    return Page(f"/staff/directory/services/{desk.service_id}/", editor, {"desk": desk})


@pytest.fixture
def proposal_page(login_verified, make_staff, unit) -> Page:
    desk = praia_desk(unit)
    proposal = ChangeProposal.objects.create(
        service=desk.service, proposed_by=make_staff(Role.PARTNER_USER, unit),
        changes={"fees_description": "Gratuito"}, original={"fees_description": ""},
    )  # fmt: skip
    editor = _client(login_verified, make_staff(Role.CONTENT_EDITOR, unit))
    return Page(f"/staff/directory/proposals/{proposal.pk}/", editor, {"proposal": proposal})


@pytest.fixture
def text_page(login_verified, make_staff, national_unit) -> Page:
    author = make_staff(Role.CONTENT_EDITOR, national_unit)
    item = create_item(actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt",
                       title="Linha")  # fmt: skip
    reviewer = make_staff(Role.CONTENT_EDITOR, national_unit)
    return Page(
        "/staff/content/linha/pt/",
        _client(login_verified, author),
        {"item": item, "author": author, "reviewer_user": reviewer,
         "reviewer": _client(login_verified, reviewer)},
    )  # fmt: skip


def _version(page: Page) -> int:
    return page.objects["item"].translations.get(language="pt").version


def _in_review(page: Page) -> int:
    text = page.objects["item"].translations.get(language="pt")
    submit_for_review(actor=page.objects["author"], translation=text)
    return _version(page)


def _file(page: Page, *, published: bool = False) -> Attachment:
    """A leaflet the author added in Portuguese: a draft, or published by the reviewer."""
    upload = SimpleUploadedFile("folheto.pdf", PDF, content_type="application/pdf")
    attachment = add_attachment(actor=page.objects["author"], item=page.objects["item"],
                                language="pt", title="Folheto", upload=upload)  # fmt: skip
    if published:
        publish_attachment(actor=page.objects["reviewer_user"], attachment=attachment)
    return attachment


PLACE = {
    "name": "Nova sede", "address_1": "Rua 2", "city": "Praia", "state_province": "Santiago",
    "country": "CV", "time_zone": "Atlantic/Cape_Verde", "phones": "+238 260 10 10",
}  # fmt: skip

# Action → (the section it returns to, what a valid post of it is).
SERVICE_ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "save": ("description", {"name": "Atendimento geral", "status": "active"}),
    "verify": ("verified", {}),
    "hours": ("hours", {"valid_from": "2030-01-07", "MO_0_opens": "09:00",
                        "MO_0_closes": "13:00"}),
    "translation": ("translations", {"language": "fr", "name": "Accueil"}),
    "location": ("place", PLACE),
    "closure": ("closures", {"starts_at": "2030-01-07T08:00", "ends_at": "2030-01-08T08:00",
                             "reason": "Obras"}),
}  # fmt: skip

# Action → (its section, who posts it and what: (client, data) for the page).
TEXT_ACTIONS: dict[str, tuple[str, Callable[[Page], tuple[Client, dict[str, Any]]]]] = {
    "save": ("text", lambda p: (p.editor, {"version": _version(p), "title": "Linha nova",
                                           "summary": "", "body": "Ligue."})),
    "submit": ("text", lambda p: (p.editor, {"version": _version(p)})),
    "publish": ("text", lambda p: (p.objects["reviewer"], {"version": _in_review(p)})),
    "review": ("review", lambda p: (p.editor, {"review_by": ""})),
    "review_date": ("review", lambda p: (p.editor, {"review_by": "2030-09-01"})),
    "settings": ("about", lambda p: (p.editor, {"audience": "Recém-chegados"})),
    "attach": ("files", lambda p: (p.editor, {"title": "Folheto", "upload": SimpleUploadedFile(
        "folheto.pdf", PDF, content_type="application/pdf")})),
    "publish_file": ("files", lambda p: (p.objects["reviewer"], {"attachment": _file(p).pk})),
    "replace_file": ("files", lambda p: (p.editor, {
        "attachment": _file(p, published=True).pk,
        "upload": SimpleUploadedFile("novo.pdf", PDF, content_type="application/pdf")})),
}  # fmt: skip

PROPOSAL_ACTIONS = {"approve": {}, "reject": {"reason": "Não confere"}}


# One way of writing them ---------------------------------------------------------------------

VIEWS: dict[str, tuple[type[ActionPage], set[str]]] = {
    "service": (DirectoryServiceView, set(SERVICE_ACTIONS)),
    "text": (ContentTextView, set(TEXT_ACTIONS)),
    "proposal": (ProposalView, set(PROPOSAL_ACTIONS)),
}


@pytest.mark.parametrize("name", VIEWS)
def test_the_page_declares_its_actions_in_a_table_and_every_one_is_tested(name):
    view, tested = VIEWS[name]
    assert issubclass(view, ActionPage)
    assert isinstance(view.actions, ActionTable)
    # Each action of the table is walked below: a new one without its test fails here.
    assert view.actions.names == tested
    # The whole module: an action's function sits beside the page.
    source = Path(inspect.getsourcefile(view) or "").read_text()
    # No ladder of "if the button was this one" left beside it.
    ladder = r"""POST\.get\(["']action|action ==|["']\w+["'] in request\.POST"""
    assert not re.search(ladder, source)


def test_no_page_of_the_back_office_dispatches_on_the_button_itself():
    """Every page with several actions declares them in a table: no ladder of "if the button
    was this one" is left in a back-office view."""
    folder = Path(coop4int.backoffice.__file__).parent
    ladders = [
        str(path.relative_to(folder))
        for path in folder.glob("*.py")
        if re.search(r"""POST\.get\(\s*["']action["']""", path.read_text())
    ]
    assert ladders == []


def _posts_to_sections(body: str, view: type[ActionPage]) -> set[str]:
    """The actions the page's forms post, each checked to post to its own section."""
    page = _Forms()
    page.feed(body)
    sections = view.actions.sections()
    leaving = {action.name for action in view.actions if action.leaves}
    posted: set[str] = set()
    for target, actions in page.forms:
        for action in actions:
            assert action in sections, action
            # An action leading to another page posts to the page itself: the browser would
            # carry the fragment on to the next page.
            assert target == ("" if action in leaving else f"#{sections[action]}"), action
            assert sections[action] in page.ids, action
        posted |= actions
    return posted


def test_each_form_of_the_service_editor_posts_back_to_its_section(service_page):
    body = service_page.editor.get(service_page.url).content.decode()
    # The description form names no action: it is the page's default, "save".
    assert _posts_to_sections(body, DirectoryServiceView) == set(SERVICE_ACTIONS)


def test_each_form_of_a_text_posts_back_to_its_section(text_page):
    _in_review(text_page)
    _file(text_page)
    _file(text_page, published=True)
    # The reviewer's page of a text in review, with a file waiting for review and one
    # published, shows every action: they may publish both and replace the published one.
    response = text_page.objects["reviewer"].get(text_page.url)
    shown = _posts_to_sections(response.content.decode(), ContentTextView)
    assert shown == set(TEXT_ACTIONS) - {"submit"}
    assert response.context["focus"] == ""


def test_the_decision_on_a_proposal_posts_to_the_page_itself(proposal_page):
    body = proposal_page.editor.get(proposal_page.url).content.decode()
    assert _posts_to_sections(body, ProposalView) == set(PROPOSAL_ACTIONS)


# Each action back at its section -----------------------------------------------------------


@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_each_action_of_the_service_editor_returns_to_its_section(service_page, action):
    section, data = SERVICE_ACTIONS[action]
    before = _writes()

    response = service_page.editor.post(service_page.url, {"action": action} | data)

    assert response.status_code == 302
    assert response.url == f"{service_page.url}#{section}"
    assert len(_writes()) == len(before) + 1  # done, once
    page = service_page.editor.get(service_page.url)
    assert page.context["focus"] == section
    body = page.content.decode()
    assert len(_said_under(body, section)) == 1
    assert f'<h2 id="{section}" tabindex="-1" aria-describedby="{section}-said">' in body


@pytest.mark.parametrize("action", TEXT_ACTIONS)
def test_each_action_of_a_text_returns_to_its_section(text_page, action):
    section, post = TEXT_ACTIONS[action]
    client, data = post(text_page)
    before = _writes()

    response = client.post(text_page.url, {"action": action} | data)

    assert response.status_code == 302
    assert response.url == f"{text_page.url}#{section}"
    assert len(_writes()) > len(before)
    page = client.get(text_page.url)
    assert page.context["focus"] == section
    assert _said_under(page.content.decode(), section) != []


def test_a_text_published_says_so_and_which_translations_it_made_outdated(
    text_page, make_staff, national_unit
):
    item, author = text_page.objects["item"], text_page.objects["author"]
    checker = make_staff(Role.CONTENT_EDITOR, national_unit)
    for language, title in (("pt", "Linha"), ("en", "Line")):
        text = save_text(actor=author, item=item, language=language, title=title, summary="",
                         body="")  # fmt: skip
        submit_for_review(actor=author, translation=text)
        publish(actor=checker, translation=text)
    # The source changes: once it is published, the English translation is behind it.
    save_text(actor=author, item=item, language="pt", title="Linha nova", summary="", body="")
    reviewer = text_page.objects["reviewer"]

    response = reviewer.post(text_page.url, {"action": "publish", "version": _in_review(text_page)})

    assert response.url == f"{text_page.url}#text"
    page = reviewer.get(text_page.url)
    said = _said_under(page.content.decode(), "text")
    assert said[0] == _in_page_language(page, "Published.")
    assert said[1].endswith(": en")
    assert reviewer.get(text_page.url).context["focus"] == ""  # said once


@pytest.mark.parametrize("action", PROPOSAL_ACTIONS)
def test_a_decision_on_a_proposal_leads_to_the_proposals_waiting(proposal_page, action):
    response = proposal_page.editor.post(
        proposal_page.url, {"action": action} | PROPOSAL_ACTIONS[action]
    )
    assert response.status_code == 302
    assert response.url == reverse("backoffice:directory_proposals")
    assert ChangeProposal.objects.get().status != "pending"


def test_a_partner_proposes_from_the_description_and_comes_back_to_it(
    service_page, login_verified, make_staff, unit
):
    partner = _client(login_verified, make_staff(Role.PARTNER_USER, unit))
    response = partner.post(
        service_page.url, {"action": "save", "name": "Atendimento geral", "status": "active",
                           "note": "Mudou de nome."},
    )  # fmt: skip
    assert response.url == f"{service_page.url}#description"
    assert ChangeProposal.objects.get().note == "Mudou de nome."
    page = partner.get(service_page.url)
    assert _said_under(page.content.decode(), "description") == [
        _in_page_language(page, "Your proposal was sent to the editors.")
    ]


@pytest.mark.parametrize("action", sorted(set(SERVICE_ACTIONS) - {"save"}))
def test_a_partner_has_none_of_the_editors_actions(
    service_page, login_verified, make_staff, unit, action
):
    partner = _client(login_verified, make_staff(Role.PARTNER_USER, unit))
    before = _writes()
    response = partner.post(service_page.url, {"action": action} | SERVICE_ACTIONS[action][1])
    assert response.status_code == 302
    assert response.url == service_page.url
    assert _writes() == before
    assert not ChangeProposal.objects.exists()


# A form with problems, again at its section with what was typed ----------------------------

# Action → (a post with a problem, what was typed and must be shown again).
SERVICE_PROBLEMS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "save": ({"name": "", "status": "active", "description": "Descrição digitada"},
             ["Descrição digitada"]),
    "hours": ({"valid_from": "2030-01-07", "MO_0_opens": "17:00", "MO_0_closes": "09:00"},
              ['value="17:00"', 'value="09:00"']),
    "translation": ({"language": "xx", "name": "Nom saisi", "description": "Texte saisi."},
                    ['value="Nom saisi"', "Texte saisi."]),
    "location": (PLACE | {"city": "Assomada", "phones": "abc-not-a-phone"},
                 ['value="Assomada"', "abc-not-a-phone"]),
    "closure": ({"starts_at": "2030-01-08T08:00", "ends_at": "2030-01-07T08:00",
                 "reason": "Obras digitadas"}, ['value="Obras digitadas"']),
}  # fmt: skip


def test_every_form_of_the_service_editor_has_its_problem_tested():
    shown = {action.name for action in DirectoryServiceView.actions if action.shows_form}
    assert shown == set(SERVICE_PROBLEMS)


@pytest.mark.parametrize("action", SERVICE_PROBLEMS)
def test_a_form_of_the_service_editor_with_problems_is_shown_again_at_its_section(
    service_page, action
):
    data, typed = SERVICE_PROBLEMS[action]
    section = SERVICE_ACTIONS[action][0]
    before = (_writes(), list(Schedule.objects.values_list("pk", "valid_from")))

    response = service_page.editor.post(service_page.url, {"action": action} | data)

    assert response.status_code == 200
    assert response.context["focus"] == section
    shown = _section(response.content.decode(), section)
    assert 'role="alert"' in shown
    for value in typed:
        assert value in shown, value
    assert (_writes(), list(Schedule.objects.values_list("pk", "valid_from"))) == before


def _typed_text(page: Page) -> dict[str, Any]:
    return {"version": _version(page), "title": "", "summary": "Resumo digitado",
            "body": "Texto digitado."}  # fmt: skip


TEXT_PROBLEMS: dict[str, tuple[Callable[[Page], dict[str, Any]], list[str]]] = {
    "save": (_typed_text, ["Resumo digitado", "Texto digitado."]),
    "review": (lambda p: {"review_by": "2029-12-01"}, ['value="2029-12-01"']),
    "review_date": (lambda p: {"review_by": "2029-12-02"}, ['value="2029-12-02"']),
    "settings": (lambda p: {"audience": "Para quem chega", "period_start": "2030-03-01",
                            "period_end": "2030-02-01"},
                 ['value="Para quem chega"', 'value="2030-02-01"']),
    "attach": (lambda p: {"title": "Cartão digitado", "upload": SimpleUploadedFile(
        "x.pdf", b"not a pdf", content_type="application/pdf")}, ['value="Cartão digitado"']),
}  # fmt: skip


def test_every_form_of_a_text_has_its_problem_tested():
    shown = {action.name for action in ContentTextView.actions if action.shows_form}
    assert shown == set(TEXT_PROBLEMS)


@pytest.mark.parametrize("action", TEXT_PROBLEMS)
def test_a_form_of_a_text_with_problems_is_shown_again_at_its_section(text_page, action):
    post, typed = TEXT_PROBLEMS[action]
    section = TEXT_ACTIONS[action][0]
    item = text_page.objects["item"]
    before = (_writes(), ContentItem.objects.filter(pk=item.pk).values().get())

    response = text_page.editor.post(text_page.url, {"action": action} | post(text_page))

    assert response.status_code == 400
    assert response.context["focus"] == section
    shown = _section(response.content.decode(), section)
    assert 'role="alert"' in shown
    for value in typed:
        assert value in shown, value
    assert (_writes(), ContentItem.objects.filter(pk=item.pk).values().get()) == before


def test_a_step_refused_is_said_at_the_text_and_changes_nothing(text_page):
    version = _in_review(text_page)  # by its author, who may not publish it
    before = _writes()

    response = text_page.editor.post(text_page.url, {"action": "publish", "version": version})

    assert response.status_code == 400
    assert response.context["focus"] == "text"
    said = _in_page_language(response, "Someone other than its author must review and publish it.")
    assert _said_under(response.content.decode(), "text") == [escape(said)]
    assert _writes() == before


def test_a_rejection_without_a_reason_is_shown_again_at_the_decision(proposal_page):
    response = proposal_page.editor.post(proposal_page.url, {"action": "reject", "reason": " "})
    assert response.status_code == 200
    assert response.context["focus"] == "decision"
    shown = _section(response.content.decode(), "decision")
    said = _in_page_language(response, "Say why the proposal is rejected.")
    assert escape(said) in shown
    assert ChangeProposal.objects.get().status == "pending"


# A post naming no action of the page -------------------------------------------------------


@pytest.mark.parametrize("name", ["service_page", "text_page", "proposal_page"])
def test_a_post_naming_no_action_of_the_page_changes_nothing_and_says_so(request, name):
    page: Page = request.getfixturevalue(name)
    before = (
        _writes(),
        list(ContentItem.objects.values()),
        list(ChangeProposal.objects.values()),
        list(ServiceAtLocation.objects.values()),
    )

    response = page.editor.post(page.url, {"action": "delete", "reason": "x", "title": "x"})

    assert response.status_code == 302
    assert response.url == page.url
    assert before == (
        _writes(),
        list(ContentItem.objects.values()),
        list(ChangeProposal.objects.values()),
        list(ServiceAtLocation.objects.values()),
    )
    shown = page.editor.get(page.url)
    said = _in_page_language(shown, "This page has no such action. Nothing was changed.")
    assert escape(said) in shown.content.decode()

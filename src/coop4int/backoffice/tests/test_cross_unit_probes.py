"""An officer of one unit probing for a person registered by another, through the staff pages.

Aminata is registered at Praia with a phone, an e-mail and a date of birth. An officer at
Mindelo, typing her number or address into the phone line or the walk-in form, learns only
that "a record may exist at another unit" — never her name, language, date of birth, the
unit, or the record's id — cannot attach a call or a case to her record by posting its id,
and opens her record only once it is linked to Mindelo with her consent to share it between
units (both units' coordinators are told).
"""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode
from uuid import uuid4

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case
from coop4int.cases.domain.intake import Contact, receive_contact
from coop4int.cases.enums import Channel
from coop4int.cases.models import Case, Interaction
from coop4int.core.models import AuditEntry
from coop4int.people.domain.people import PersonDetails, register_person
from coop4int.people.enums import Purpose
from coop4int.people.models import Consent, ContactPoint, Person, UnitLink

pytestmark = pytest.mark.django_db

PHONE = "+2389912345"
PHONE_AS_TYPED = "991 23 45"
EMAIL = "aminata.diallo@example.cv"
BORN = date(1990, 3, 1)
# Every way her date of birth could be printed.
BIRTH_DATE_FORMS = ("1990-03-01", "01/03/1990", "1/3/1990", "01/03/90", "1/3/90", "01.03.1990")

PHONE_LINE = reverse("backoffice:phone_line")
NEW_CASE = reverse("backoffice:case_new")

ANOTHER_UNIT_ON_THE_PHONE = "A record with this number may exist at another unit."
ANOTHER_UNIT_AT_THE_DESK = "A record with this phone or e-mail may exist at another unit."


# --- The people and the desks --------------------------------------------------------------------


@pytest.fixture
def praia_officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="praia.officer")


@pytest.fixture
def aminata(praia_officer, unit):
    return register_person(
        actor=praia_officer,
        unit=unit,
        details=PersonDetails(
            given_names="Aminata", family_names="Diallo", birth_date=BORN, preferred_language="fr"
        ),
        phones=[PHONE],
        emails=[EMAIL],
    )


@pytest.fixture
def praia_case(praia_officer, unit, aminata):
    return open_case(
        actor=praia_officer, unit=unit, channel=Channel.WALK_IN, subject="Renovação do visto",
        person=aminata, assign_to=praia_officer,
    )[0]  # fmt: skip


@pytest.fixture
def mindelo_officer(make_staff, other_unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, other_unit, username="mindelo.officer")


@pytest.fixture
def mindelo(client, login_verified, mindelo_officer):
    """The Mindelo officer's browser, in English."""
    login_verified(client, mindelo_officer)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def praia(login_verified, praia_officer):
    browser = login_verified(Client(), praia_officer)
    browser.cookies["django_language"] = "en"
    return browser


def her_page(person: Person) -> str:
    return reverse("backoffice:person_detail", args=[person.pk])


def assert_nothing_identifying(body: str, person: Person, *, also: tuple[str, ...] = ()) -> None:
    """Nothing in ``body`` tells who the record is: no name, date of birth, registering unit,
    id, language chosen, or contact that was not typed."""
    for secret in ("Aminata", "Diallo", *BIRTH_DATE_FORMS, "Praia", str(person.pk), *also):
        assert secret not in body, secret
    assert 'value="fr" selected' not in body  # her language is not pre-selected


def snapshot(person: Person) -> tuple:
    """Her record and everything hanging from it, to show that a refused probe changed
    nothing."""
    return (
        Person.objects.filter(pk=person.pk).values().get(),
        sorted(ContactPoint.objects.filter(person=person).values_list("kind", "value")),
        sorted(Consent.objects.filter(person=person).values_list("pk", "withdrawn_at")),
        list(UnitLink.objects.filter(person=person).values_list("pk", flat=True)),
        list(Case.objects.filter(person=person).values_list("pk", flat=True)),
    )


def _radio_values(html: str, name: str) -> list[str]:
    parser = BrowserForm()
    parser.feed(html)
    return [
        control["value"]
        for form in parser.forms
        for control in form
        if control.get("type") == "radio" and control["name"] == name
    ]


def walk_in(**fields: str) -> dict[str, str]:
    """The walk-in form as an officer fills it for someone who calls herself 'Nova Pessoa'."""
    form = {
        "channel": "walk_in",
        "given_names": "Nova",
        "family_names": "Pessoa",
        "sex": "not_stated",
        "preferred_language": "pt",
        "consent_service": "on",
        "subject": "Pedido de informação",
        "priority": "2",
    }
    form.update(fields)
    return {name: value for name, value in form.items() if value is not None}


# --- The phone line: caller lookup ---------------------------------------------------------------


def test_caller_lookup_from_another_unit_only_says_a_record_may_exist_elsewhere(
    mindelo, aminata, praia_case
):
    response = mindelo.get(PHONE_LINE, {"number": PHONE_AS_TYPED})

    assert response.status_code == 200
    body = response.content.decode()
    assert ANOTHER_UNIT_ON_THE_PHONE in body
    assert_nothing_identifying(body, aminata, also=(EMAIL, praia_case.reference))
    person_field = response.context["call_form"].fields["person"]
    assert [value for value, _label in person_field.choices] == [""]  # only "someone else"
    case_field = response.context["call_form"].fields["case"]
    assert [value for value, _label in case_field.choices] == [""]  # only "a new case"


def test_caller_lookup_in_her_own_unit_names_her(praia, aminata, praia_case):
    """The control for the probe above: the same lookup at Praia shows her and her case."""
    body = praia.get(PHONE_LINE, {"number": PHONE_AS_TYPED}).content.decode()
    assert "Aminata Diallo" in body
    assert praia_case.reference in body
    assert 'value="fr" selected' in body
    assert ANOTHER_UNIT_ON_THE_PHONE not in body


# --- The walk-in form: duplicate check -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "untyped"),
    [({"phone": PHONE_AS_TYPED}, EMAIL), ({"email": EMAIL.upper()}, PHONE)],
    ids=["phone-only", "email-only"],
)
def test_walk_in_duplicate_check_from_another_unit_shows_nothing_identifying(
    mindelo, aminata, typed, untyped
):
    response = mindelo.post(NEW_CASE, walk_in(**typed))

    assert response.status_code == 200
    body = response.content.decode()
    assert ANOTHER_UNIT_AT_THE_DESK in body
    assert_nothing_identifying(body, aminata, also=(untyped,))
    assert response.context["duplicates"] == []
    assert set(_radio_values(body, "person_choice")) == {"link", "new"}
    assert not Case.objects.exists()


def test_walk_in_duplicate_check_in_her_own_unit_names_her(praia, aminata):
    """The control: at Praia the same check offers her record, by name and date of birth."""
    body = praia.post(NEW_CASE, walk_in(phone=PHONE_AS_TYPED)).content.decode()
    assert "Aminata Diallo" in body
    assert str(aminata.pk) in body
    assert ANOTHER_UNIT_AT_THE_DESK not in body


def test_her_name_and_date_of_birth_typed_at_another_unit_give_no_hint(mindelo, aminata):
    """Without her phone or e-mail, the form tells nothing at all: no duplicate, no note; the
    visit is registered as a new person of Mindelo."""
    response = mindelo.post(
        NEW_CASE,
        walk_in(given_names="Aminata", family_names="Diallo", birth_date=BORN.isoformat()),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.person != aminata
    assert case.person.unit == case.unit != aminata.unit
    assert mindelo.get(her_page(aminata)).status_code == 404


def test_posting_her_id_as_the_choice_does_not_attach_her(mindelo, aminata, other_unit):
    before = snapshot(aminata)

    response = mindelo.post(NEW_CASE, walk_in(phone=PHONE_AS_TYPED, person_choice=str(aminata.pk)))

    # The form refuses the choice: it is asked again, still without naming her.
    assert response.status_code == 200
    assert ANOTHER_UNIT_AT_THE_DESK in response.content.decode()
    assert_nothing_identifying(response.content.decode(), aminata, also=(EMAIL,))
    assert not Case.objects.exists()
    assert snapshot(aminata) == before
    assert mindelo.get(her_page(aminata)).status_code == 404


def test_posting_her_id_without_a_contact_makes_a_separate_record(mindelo, aminata, other_unit):
    before = snapshot(aminata)

    response = mindelo.post(NEW_CASE, walk_in(person_choice=str(aminata.pk)))

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.unit == other_unit
    assert case.person is not None
    assert case.person != aminata
    assert snapshot(aminata) == before
    assert mindelo.get(her_page(aminata)).status_code == 404


def test_a_case_for_her_number_at_another_unit_makes_a_separate_record(
    mindelo, aminata, other_unit
):
    before = snapshot(aminata)

    response = mindelo.post(NEW_CASE, walk_in(phone=PHONE_AS_TYPED, person_choice="new"))

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.unit == other_unit
    assert case.person != aminata
    assert (case.person.unit, case.person.given_names) == (other_unit, "Nova")
    assert list(case.person.contacts.values_list("value", flat=True)) == [PHONE]
    assert snapshot(aminata) == before  # no link, no consent, no contact, no case
    assert mindelo.get(her_page(aminata)).status_code == 404
    # The new record is Mindelo's own; hers is still only "elsewhere".
    body = mindelo.get(PHONE_LINE, {"number": PHONE_AS_TYPED}).content.decode()
    assert "Nova Pessoa" in body
    assert ANOTHER_UNIT_ON_THE_PHONE in body
    assert_nothing_identifying(body, aminata)


def test_linking_her_record_with_her_consent_opens_it_to_the_unit(
    mindelo, aminata, make_staff, unit, other_unit, mindelo_officer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    praia_coordinator = make_staff(Role.UNIT_COORDINATOR, unit, email="coord.praia@example.cv")
    mindelo_coordinator = make_staff(
        Role.UNIT_COORDINATOR, other_unit, email="coord.mindelo@example.cv"
    )
    assert mindelo.get(her_page(aminata)).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = mindelo.post(NEW_CASE, walk_in(phone=PHONE_AS_TYPED, person_choice="link"))

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.unit, case.person) == (other_unit, aminata)
    link = UnitLink.objects.get(person=aminata)
    assert (link.unit, link.linked_by) == (other_unit, mindelo_officer)
    assert link.consent.purpose == Purpose.SHARING
    assert link.consent.withdrawn_at is None
    assert link.consent.recorded_by == mindelo_officer
    assert AuditEntry.objects.filter(
        action="people.person.linked", actor=mindelo_officer, object_id=str(aminata.pk)
    ).exists()
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [praia_coordinator.email, mindelo_coordinator.email]
    )
    for message in mail.outbox:  # the mail names no one: who may, opens the record
        assert "Aminata" not in message.body
        assert "Diallo" not in message.body
    assert Person.objects.count() == 1  # no second record was made

    page = mindelo.get(her_page(aminata))
    assert page.status_code == 200
    assert "Aminata" in page.content.decode()


# --- A public request with her address, received at another unit ----------------------------


def test_a_public_request_with_her_address_at_another_unit_neither_names_nor_attaches_her(
    mindelo, aminata, other_unit
):
    case = receive_contact(
        actor=None, unit=other_unit,
        contact=Contact(channel=Channel.WEB, subject="Pedido de ajuda", body="Preciso de ajuda",
                        email=EMAIL, consents=frozenset({Purpose.SERVICE, Purpose.CONTACT})),
    ).case  # fmt: skip
    assert (case.unit, case.identity_verified, case.person, case.claimed_person) == (
        other_unit, False, None, aminata,
    )  # fmt: skip
    before = snapshot(aminata)

    page = mindelo.get(reverse("backoffice:case_detail", args=[case.reference]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "The record belongs to another unit and is not shown here." in body
    assert_nothing_identifying(body, aminata, also=(PHONE,))
    # Only "link, with the holder's consent" and "someone else": never her record's id.
    assert _radio_values(body, "person") == ["link", "none"]

    identity = reverse("backoffice:case_identity", args=[case.reference])
    refused = mindelo.post(identity, {"person": str(aminata.pk)})
    assert refused.status_code == 302
    case.refresh_from_db()
    assert (case.identity_verified, case.person) == (False, None)
    assert snapshot(aminata) == before

    # "Someone else": the request stays apart, and her record gets none of its consents.
    assert mindelo.post(identity, {"person": "none"}).status_code == 302
    case.refresh_from_db()
    assert (case.identity_verified, case.person, case.claimed_person) == (True, None, None)
    assert snapshot(aminata) == before
    assert mindelo.get(her_page(aminata)).status_code == 404


# --- The phone line: logging a call --------------------------------------------------------------


def _call(**fields: str) -> dict[str, str]:
    form = {
        "number": PHONE,
        "direction": "in",
        "person": "",
        "case": "",
        "subject": "Chamada",
        "summary": "Pergunta pelo processo",
        "language": "pt",
    }
    form.update(fields)
    return form


@pytest.mark.parametrize(
    "probe",
    [
        {"person": "her"},
        {"case": "hers"},
        {"person": "her", "case": "hers"},
        {"number": "+2389876543", "person": "her"},
        {"number": "+2389876543", "case": "hers"},
    ],
    ids=["her-id", "her-case", "both", "other-number-her-id", "other-number-her-case"],
)
def test_phone_line_refuses_her_id_or_her_case_from_another_unit(
    mindelo, aminata, praia_case, probe
):
    values = {
        key: str(aminata.pk) if value == "her" else praia_case.reference if value == "hers"
        else value
        for key, value in probe.items()
    }  # fmt: skip
    before = (snapshot(aminata), Case.objects.count(), Interaction.objects.count())

    response = mindelo.post(PHONE_LINE, _call(**values))

    assert response.status_code == 200
    errors = response.context["call_form"].errors
    assert set(errors) & {"person", "case"}  # the form says which choice is not valid
    assert (snapshot(aminata), Case.objects.count(), Interaction.objects.count()) == before
    # Only what was typed is echoed, and the answer is the one a made-up id or reference
    # gets: whether her record or case exists does not show.
    posted = {v for k, v in values.items() if k in ("person", "case")}
    body = response.content.decode()
    for value in posted:
        body = body.replace(value, "‹typed›")
    assert_nothing_identifying(body, aminata, also=(praia_case.reference,))
    made_up = {
        key: str(uuid4()) if key == "person" else "ZZZZ-ZZZZ" if key == "case" else value
        for key, value in values.items()
    }
    other = mindelo.post(PHONE_LINE, _call(**made_up)).context["call_form"].errors
    assert {k: [str(e).replace(made_up[k], "‹typed›") for e in v] for k, v in other.items()} == {
        k: [str(e).replace(values[k], "‹typed›") for e in v] for k, v in errors.items()
    }


def test_call_logged_with_a_chosen_person_and_case_is_recorded_on_that_case(
    praia, praia_officer, unit, aminata
):
    """Regression: the page once posted empty hidden ``person`` and ``case`` fields after the
    radio buttons, the empty values won, and the call opened a new anonymous case. The form
    is posted here as a browser posts it, from the page's own fields."""
    husband = register_person(
        actor=praia_officer, unit=unit, details=PersonDetails(given_names="Ousmane"),
        phones=[PHONE],
    )  # fmt: skip
    # Not what the page ticks first: the earlier case of the later-registered person.
    chosen = open_case(
        actor=praia_officer, unit=unit, channel=Channel.WALK_IN, subject="Reagrupamento",
        person=aminata,
    )[0]  # fmt: skip
    open_case(
        actor=praia_officer, unit=unit, channel=Channel.WALK_IN, subject="Trabalho",
        person=husband,
    )  # fmt: skip
    page = praia.get(PHONE_LINE, {"number": PHONE_AS_TYPED}).content.decode()
    form = BrowserForm.containing(page, "summary")
    form.choose("person", str(aminata.pk))
    form.choose("case", chosen.reference)
    form.fill("summary", "Perguntou pelo reagrupamento familiar")
    cases_before = Case.objects.count()

    response = praia.post(
        PHONE_LINE, form.encoded(), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:case_detail", args=[chosen.reference])
    assert Case.objects.count() == cases_before
    call = chosen.interactions.get(channel=Channel.PHONE, body__startswith="Perguntou")
    assert call.author == praia_officer


# --- Reading a page's form as a browser submits it --------------------------------------------


class BrowserForm(HTMLParser):
    """The controls of the one form of a page that holds a given field, submitted as a browser
    submits them: text and hidden inputs, ticked radios and checkboxes, selected options,
    textareas — each in page order, repeated names kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[dict]] = []
        self.controls: list[dict] = []
        self._form: list[dict] | None = None
        self._select: dict | None = None
        self._textarea: dict | None = None

    @classmethod
    def containing(cls, html: str, field: str) -> "BrowserForm":
        parser = cls()
        parser.feed(html)
        matching = [f for f in parser.forms if any(c.get("name") == field for c in f)]
        assert len(matching) == 1, f"{len(matching)} forms hold {field!r}"
        parser.controls = matching[0]
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = []
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.append(
                {"tag": "input", "type": a.get("type", "text").lower(), "name": a.get("name"),
                 "value": a.get("value", "on" if a.get("type") in ("radio", "checkbox") else ""),
                 "checked": "checked" in a}
            )  # fmt: skip
        elif tag == "select":
            self._select = {"tag": "select", "name": a.get("name"), "options": []}
            self._form.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a.get("name"), "value": ""}
            self._form.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data

    def choose(self, name: str, value: str) -> None:
        radios = [c for c in self.controls if c.get("type") == "radio" and c["name"] == name]
        assert value in [r["value"] for r in radios], f"{value!r} is not offered for {name!r}"
        for radio in radios:
            radio["checked"] = radio["value"] == value

    def fill(self, name: str, value: str) -> None:
        for control in self.controls:
            if control.get("name") == name:
                control["value"] = value

    def pairs(self) -> list[tuple[str, str]]:
        sent: list[tuple[str, str]] = []
        for control in self.controls:
            name = control.get("name")
            if not name:
                continue
            if control["tag"] == "select":
                chosen = [v for v, selected in control["options"] if selected]
                sent += [(name, v) for v in chosen or [v for v, _s in control["options"][:1]]]
            elif control["tag"] == "textarea":
                sent.append((name, control["value"].removeprefix("\n")))
            elif control["type"] in ("radio", "checkbox"):
                if control["checked"]:
                    sent.append((name, control["value"]))
            elif control["type"] not in ("submit", "button", "reset", "image", "file"):
                sent.append((name, control["value"]))
        return sent

    def encoded(self) -> str:
        return urlencode(self.pairs())

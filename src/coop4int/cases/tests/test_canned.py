import pytest
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.cases.domain.canned import answers_for, canned_reply, fill, save_canned_answer
from coop4int.cases.domain.cases import open_case
from coop4int.cases.enums import Channel
from coop4int.directory.models import TaxonomyTerm
from coop4int.people.domain.people import PersonDetails, register_person

pytestmark = pytest.mark.django_db


def test_placeholders_are_filled_and_unknown_ones_kept():
    assert fill(
        "Olá {name}, o seu pedido {reference}.", {"name": "Ana", "reference": "K7MX-4QF9"}
    ) == ("Olá Ana, o seu pedido K7MX-4QF9.")
    assert fill("{nome} {", {"name": "Ana"}) == "{nome} {"


@given(st.text(max_size=60))
def test_filling_any_text_never_fails(text):
    assert isinstance(fill(text, {"name": "Ana"}), str)


def test_answer_is_inserted_in_the_persons_language_or_its_fallback(make_staff, unit):
    officer = make_staff(Role.UNIT_COORDINATOR, unit, first_name="Rosa", last_name="Tavares")
    visa = TaxonomyTerm.objects.create(name="Vistos", description="")
    other = TaxonomyTerm.objects.create(name="Saúde", description="")
    documents = save_canned_answer(
        actor=officer,
        answer=None,
        title="Documentos",
        topic=visa,
        language="pt",
        body="Olá {name}, traga o passaporte.",
    )
    save_canned_answer(
        actor=officer,
        answer=documents,
        title="Documentos",
        topic=visa,
        language="fr",
        body="Bonjour {name}, apportez votre passeport. — {officer}",
    )
    save_canned_answer(
        actor=officer, answer=None, title="Vacinas", topic=other, language="pt", body="x"
    )
    general = save_canned_answer(
        actor=officer, answer=None, title="Horário", topic=None, language="en", body="We open at 8."
    )
    person = register_person(
        actor=officer,
        unit=unit,
        details=PersonDetails(given_names="Aminata", preferred_language="fr"),
    )
    case = open_case(
        actor=officer,
        unit=unit,
        channel=Channel.WALK_IN,
        subject="Visto",
        person=person,
        language="fr",
        topics=[visa],
    )[0]
    assert [(a.title, t.language) for a, t in answers_for(case)] == [
        ("Documentos", "fr"),
        ("Horário", "en"),
    ]
    assert canned_reply(case, documents.pk, officer) == (
        "fr",
        "Bonjour Aminata, apportez votre passeport. — Rosa Tavares",
    )
    wolof = open_case(
        actor=officer,
        unit=unit,
        channel=Channel.WALK_IN,
        subject="Visto",
        language="wo",
        topics=[visa],
    )[0]
    assert canned_reply(wolof, general.pk, officer) == ("en", "We open at 8.")
    assert canned_reply(wolof, 999999, officer) == ("", "")

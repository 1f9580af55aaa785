"""The back-office pages of local integration plans: writing a plan and its measures, the
status actions each role is offered, a partner reporting progress, per-language texts, the
areas, export and import — with what was typed kept when something is refused."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coop4int.accounts.enums import Role
from coop4int.accounts.tests.factories import UnitFactory
from coop4int.backoffice.tests.access_matrix_localplans import (
    indicator_form,
    measure_form,
    plan_form,
)
from coop4int.backoffice.tests.access_matrix_plan_objects import PlanObjects
from coop4int.core.models import AuditEntry
from coop4int.localplans.enums import MeasureStatus, PlanStatus
from coop4int.localplans.models import InterventionArea, Measure, Plan

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(AT, tick=True):
        yield


@pytest.fixture
def praia(db):
    national = UnitFactory(slug="aai", name="AAI", kind="national")
    return UnitFactory(slug="praia", name="Praia", parent=national, municipality="Praia")


@pytest.fixture
def mindelo(praia):
    return UnitFactory(
        slug="mindelo", name="Mindelo", parent=praia.parent, municipality="São Vicente"
    )


@pytest.fixture
def plans(praia):
    return PlanObjects(praia)


@pytest.fixture
def as_role(client, login_verified, make_staff, praia):
    def log_in(role, unit=None):
        login_verified(client, make_staff(role, unit or praia))
        return client

    return log_in


def _plan(plans):
    assert plans.indicator.pk
    return plans.plan


def _page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_a_coordinator_writes_a_new_plan_of_their_municipality(as_role):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    response = client.post(reverse("backoffice:plan_new"), plan_form("praia-2031"))
    plan = Plan.objects.get(slug="praia-2031")
    assert response["Location"] == reverse("backoffice:plan_edit", args=[plan.slug])
    assert (plan.status, plan.version, plan.title) == (
        PlanStatus.DRAFT,
        1,
        {"pt": "Plano da Praia"},
    )
    assert [m.code for m in plan.municipalities.all()] == ["CV-PR"]


def test_a_new_plan_refused_keeps_what_was_typed_and_says_why(as_role, mindelo):
    client = as_role(Role.MUNICIPAL_COORDINATOR, mindelo)
    response = client.post(
        reverse("backoffice:plan_new"), plan_form("praia-2031", title="Plano escrito"),
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "must cover the municipality you coordinate" in page
    assert 'value="Plano escrito"' in page
    assert not Plan.objects.filter(slug="praia-2031").exists()


def test_the_plan_of_another_municipality_answers_404(as_role, plans, mindelo):
    client = as_role(Role.MUNICIPAL_COORDINATOR, mindelo)
    plan = _plan(plans)
    for url in (
        reverse("backoffice:plan", args=[plan.slug]),
        reverse("backoffice:plan_edit", args=[plan.slug]),
        reverse("backoffice:plan_measure", args=[plan.slug, "1.1"]),
    ):
        assert client.get(url).status_code == 404
    assert plan.slug not in _page(client, reverse("backoffice:plans"))


def test_the_plan_page_shows_where_it_stands_and_its_measures_with_progress(as_role, plans):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    plan = _plan(plans)
    page = _page(client, reverse("backoffice:plan", args=[plan.slug]))
    assert 'id="plan-status">In force<' in page
    assert "Praia" in page
    assert "Balcão de atendimento" in page
    assert "40 % done" in page
    # In force: the coordinator may close it or start a revision, not approve it.
    assert 'value="close"' in page
    assert 'value="revise"' in page
    assert 'value="approve"' not in page
    assert reverse("backoffice:plan_export", args=[plan.slug, "json"]) in page


def test_only_aai_is_offered_to_approve_or_return_a_submitted_plan(as_role, plans):
    plan = _plan(plans)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    url = reverse("backoffice:plan", args=[plan.slug])
    coordinator_page = _page(as_role(Role.MUNICIPAL_COORDINATOR), url)
    assert 'value="approve"' not in coordinator_page
    admin_page = _page(as_role(Role.ADMINISTRATOR), url)
    assert 'value="approve"' in admin_page
    assert 'value="return"' in admin_page


def test_sending_a_plan_back_without_a_reason_is_refused(as_role, plans):
    plan = _plan(plans)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    client = as_role(Role.ADMINISTRATOR)
    response = client.post(
        reverse("backoffice:plan", args=[plan.slug]), {"action": "return", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 200
    assert "Say why the plan is sent back." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_a_coordinator_submits_a_draft_and_aai_approves_it(as_role, plans, client):
    plan = _plan(plans)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
    url = reverse("backoffice:plan", args=[plan.slug])
    response = as_role(Role.MUNICIPAL_COORDINATOR).post(url, {"action": "submit"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    as_role(Role.ADMINISTRATOR).post(url, {"action": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.approved_at is not None


def test_a_partner_sees_only_the_progress_form_of_their_measure_and_updates_it(as_role, plans):
    client = as_role(Role.PARTNER_USER)
    plan = _plan(plans)
    url = reverse("backoffice:plan_measure", args=[plan.slug, "1.1"])
    page = _page(client, url)
    assert 'value="progress"' in page
    assert 'value="save"' not in page
    assert 'value="add_indicator"' not in page
    response = client.post(
        url, {"action": "progress", "progress": "70", "status": MeasureStatus.IN_PROGRESS}
    )
    assert response.status_code == 302
    assert Measure.objects.get(pk=plans.measure.pk).progress == 70
    # Editing the measure is its managers' (403).
    forbidden = client.post(url, measure_form(_Plans(plans), "1.1", "Outro") | {"action": "save"})
    assert forbidden.status_code == 403


class _Plans:
    """What the matrix's form helpers take: objects with the plans under ``plans``."""

    def __init__(self, plans):
        self.plans = plans


def test_a_progress_out_of_range_is_refused_with_the_number_kept(as_role, plans):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    plan = _plan(plans)
    url = reverse("backoffice:plan_measure", args=[plan.slug, "1.1"])
    response = client.post(
        url, {"action": "progress", "progress": "140", "status": MeasureStatus.IN_PROGRESS},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="140"' in page
    assert Measure.objects.get(pk=plans.measure.pk).progress == 40


def test_a_measure_with_an_unreadable_funding_line_is_refused_and_kept(as_role, plans):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    plan = _plan(plans)
    data = measure_form(_Plans(plans), "1.2", "Mediadores") | {"funding": "Fundo europeu"}
    response = client.post(
        reverse("backoffice:plan_measure_new", args=[plan.slug]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 1: write the source, a colon and its share in percent." in page
    assert 'value="Mediadores"' in page
    assert not Measure.objects.filter(code="1.2").exists()


def test_a_new_measure_with_its_funding_and_an_indicator(as_role, plans):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    plan = _plan(plans)
    response = client.post(
        reverse("backoffice:plan_measure_new", args=[plan.slug]),
        measure_form(_Plans(plans), "1.2", "Mediadores"),
    )
    measure = Measure.objects.get(plan=plan, code="1.2")
    url = reverse("backoffice:plan_measure", args=[plan.slug, "1.2"])
    assert response["Location"] == url
    assert sorted((f.name, int(f.share)) for f in measure.funding.all()) == [
        ("Câmara Municipal", 25), ("Fundo europeu", 75)
    ]  # fmt: skip
    client.post(url, indicator_form("1.2.1", "Mediações") | {"action": "add_indicator"})
    indicator = measure.indicators.get()
    assert {t.year: int(t.value) for t in indicator.targets.all()} == {2025: 10, 2026: 20}


def test_texts_are_written_per_language_and_read_in_the_readers(as_role, plans):
    client = as_role(Role.MUNICIPAL_COORDINATOR)
    plan = _plan(plans)
    data = plan_form(title="Plano da Praia") | {"title_fr": "Plan de Praia", "action": "save"}
    response = client.post(reverse("backoffice:plan_edit", args=[plan.slug]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == {"pt": "Plano da Praia", "fr": "Plan de Praia"}
    french = client.get(reverse("backoffice:plan", args=[plan.slug]), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<h1 lang="fr">Plan de Praia</h1>' in french.content.decode()
    # English has none: the page says which language the title is shown in.
    assert '<h1 lang="pt">Plano da Praia</h1>' in _page(
        client, reverse("backoffice:plan", args=[plan.slug])
    )


def test_an_export_imports_back_under_another_short_name(as_role, plans):
    client = as_role(Role.ADMINISTRATOR)
    plan = _plan(plans)
    response = client.get(reverse("backoffice:plan_export", args=[plan.slug, "json"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="localplans.plan.exported").exists()
    package = response.content.decode().replace(json.dumps(plan.slug), json.dumps("praia-copia"))
    upload = SimpleUploadedFile("praia.json", package.encode(), "application/json")
    imported = client.post(reverse("backoffice:plan_import"), {"upload": upload})
    assert imported["Location"] == reverse("backoffice:plan", args=["praia-copia"])
    copy = Plan.objects.get(slug="praia-copia")
    assert copy.measures.get().title == plans.measure.title


def test_a_file_that_is_no_export_is_refused_and_nothing_is_saved(as_role, plans):
    client = as_role(Role.ADMINISTRATOR)
    _plan(plans)
    upload = SimpleUploadedFile("notas.json", b'{"not": "a plan"}', "application/json")
    response = client.post(
        reverse("backoffice:plan_import"), {"upload": upload}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert Plan.objects.count() == 1


def test_an_administrator_adds_an_area_with_its_names(as_role):
    client = as_role(Role.ADMINISTRATOR)
    response = client.post(
        reverse("backoffice:plan_areas"),
        {"code": "languages", "name_pt": "Línguas", "name_en": "Languages", "position": "20",
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    area = InterventionArea.objects.get(code="languages")
    assert area.names == {"pt": "Línguas", "en": "Languages"}
    assert "Languages" in _page(client, reverse("backoffice:plan_areas"))


def test_the_staff_menu_offers_the_plans_to_those_who_read_them(as_role, mindelo):
    link = f'href="{reverse("backoffice:plans")}"'
    assert link in _page(as_role(Role.MUNICIPAL_COORDINATOR), reverse("backoffice:home"))
    assert link not in _page(as_role(Role.FRONT_OFFICE_OFFICER), reverse("backoffice:home"))

"""Every staff URL, walked by every role from the object's unit and from another unit.

Expected: 200 allowed, 403 the role may not, 404 the object is outside the user's scope,
302 to the log-in page for an anonymous visitor. A staff URL missing here fails the test
``test_every_staff_url_is_in_the_matrix``.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from coop4int.accounts.enums import Role
from coop4int.cases.domain.cases import open_case, reply
from coop4int.cases.enums import Channel
from coop4int.cases.models import Referral
from coop4int.content.models import ContentItem, Feedback, Translation
from coop4int.directory.models import ChangeProposal, Service
from coop4int.people.domain.people import PersonDetails, register_person

ALL = set(Role)
SAME, OTHER = "same unit", "other unit"
DIRECTORY_EDITORS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR, Role.CONTENT_EDITOR}
DIRECTORY_USERS = DIRECTORY_EDITORS | {Role.PARTNER_USER}
CASE_WORKERS = {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR, Role.FRONT_OFFICE_OFFICER}

# url name → (method, roles allowed, whether the object is scoped to a unit)
MATRIX: dict[str, tuple[str, set[Role], bool]] = {
    "backoffice:home": ("get", ALL, False),
    "backoffice:audit_log": ("get", {Role.ADMINISTRATOR}, False),
    "backoffice:unit_list": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, False),
    "backoffice:unit_detail": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
    "backoffice:staff_create": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
    "backoffice:staff_detail": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, True),
    "backoffice:directory": ("get", DIRECTORY_USERS, False),
    "backoffice:directory_service": ("get", DIRECTORY_USERS, True),
    "backoffice:directory_new": ("get", DIRECTORY_EDITORS, False),
    "backoffice:directory_proposals": ("get", DIRECTORY_EDITORS, False),
    "backoffice:directory_proposal": ("get", DIRECTORY_EDITORS, True),
    "backoffice:content": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
    "backoffice:content_text": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
    "backoffice:content_coverage": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
    "backoffice:feedback_queue": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
    "backoffice:feedback_detail": ("get", {Role.ADMINISTRATOR, Role.CONTENT_EDITOR}, False),
    "backoffice:case_inbox": ("get", CASE_WORKERS, False),
    "backoffice:case_new": ("get", CASE_WORKERS, False),
    "backoffice:case_statistics": ("get", CASE_WORKERS | {Role.ANALYST}, False),
    "backoffice:case_detail": ("get", CASE_WORKERS, True),
    "backoffice:case_file": ("get", CASE_WORKERS, True),
    "backoffice:person_detail": ("get", CASE_WORKERS, True),
    "backoffice:phone_line": ("get", CASE_WORKERS, False),
    "backoffice:canned_answers": ("get", {Role.ADMINISTRATOR, Role.UNIT_COORDINATOR}, False),
    "backoffice:referral_list": ("get", {Role.ADMINISTRATOR, Role.PARTNER_USER}, False),
    "backoffice:referral_detail": ("get", {Role.ADMINISTRATOR, Role.PARTNER_USER}, True),
    "accounts:account": ("get", ALL, False),
    "accounts:password_change": ("get", ALL, False),
    "accounts:recovery_codes": ("post", ALL, False),
}
# Reached before log-in, on purpose.
PUBLIC_STAFF_URLS = {
    "accounts:login",
    "accounts:verify",
    "accounts:enrol",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
# Logging out is allowed to everyone who is logged in, and redirects.
LOGOUT = "accounts:logout"


def _staff_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
                "staff/"
            ):
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


def test_every_staff_url_is_in_the_matrix():
    assert _staff_url_names() == set(MATRIX) | PUBLIC_STAFF_URLS | {LOGOUT}


@pytest.fixture
def target(unit, make_staff, settings, tmp_path):
    """The objects: the unit 'Praia', a colleague working there, a service it keeps in the
    directory and a partner's proposal to change that service."""
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit, username="colleague")
    settings.MEDIA_ROOT = tmp_path
    service = Service.objects.create(name="Front desk", unit=unit)
    proposal = ChangeProposal.objects.create(
        service=service, proposed_by=colleague, changes={"name": "Desk"}, original={}
    )
    item = ContentItem.objects.create(slug="card", kind="card", source_language="pt")
    Translation.objects.create(item=item, language="pt", title="Cartão")
    return {
        "unit": unit,
        "colleague": colleague,
        "service": service,
        "proposal": proposal,
        "item": item,
        "feedback": Feedback.objects.create(page="/pt/", language="pt", message="Falta algo"),
        "case": open_case(actor=colleague, unit=unit, channel=Channel.WALK_IN, subject="Visto")[0],
        "person": register_person(
            actor=colleague, unit=unit, details=PersonDetails(given_names="Aminata")
        ),
        "case_file": reply(
            actor=colleague,
            case=open_case(actor=colleague, unit=unit, channel=Channel.WALK_IN, subject="F")[0],
            body="Ficha",
            channel=Channel.WALK_IN,
            files=[SimpleUploadedFile("ficha.pdf", b"%PDF-1.4 ficha", "application/pdf")],
        ).files.get(),
        # Received by the unit's organisation ("same unit" for a partner user there).
        "referral": Referral.objects.create(
            case=open_case(actor=None, unit=unit, channel=Channel.WEB, subject="Pedido")[0],
            service=service,
            partner=unit,
            sent_by=colleague,
            sent_at=timezone.now(),
            answer_due_at=timezone.now(),
            shared={"name": "A", "summary": "B"},
        ),
    }


def _url(name: str, target: dict) -> str:
    if name in {"backoffice:unit_detail", "backoffice:staff_create"}:
        return reverse(name, args=[target["unit"].slug])
    if name == "backoffice:staff_detail":
        return reverse(name, args=[target["colleague"].username])
    if name == "backoffice:feedback_detail":
        return reverse(name, args=[target["feedback"].pk])
    if name == "backoffice:content_text":
        return reverse(name, args=[target["item"].slug, "fr"])
    if name == "backoffice:directory_service":
        return reverse(name, args=[target["service"].pk])
    if name == "backoffice:referral_detail":
        return reverse(name, args=[target["referral"].pk])
    if name == "backoffice:case_file":
        attached = target["case_file"]
        return reverse(name, args=[attached.interaction.case.reference, attached.pk])
    if name == "backoffice:case_detail":
        return reverse(name, args=[target["case"].reference])
    if name == "backoffice:person_detail":
        return reverse(name, args=[target["person"].pk])
    if name == "backoffice:directory_proposal":
        return reverse(name, args=[target["proposal"].pk])
    return reverse(name)


def _expected(role: Role, placement: str, allowed: set[Role], scoped: bool) -> int:
    if role not in allowed:
        return 403
    if scoped and placement == OTHER and role is not Role.ADMINISTRATOR:
        return 404
    return 200


CASES = [
    pytest.param(name, role, placement, id=f"{name}-{role.value}-{placement.replace(' ', '_')}")
    for name in MATRIX
    for role in Role
    for placement in (SAME, OTHER)
]


@pytest.mark.parametrize(("name", "role", "placement"), CASES)
def test_role_and_unit_decide_access(
    client, login_verified, make_staff, target, other_unit, name, role, placement
):
    method, allowed, scoped = MATRIX[name]
    user = make_staff(role, target["unit"] if placement == SAME else other_unit)
    login_verified(client, user)
    response = getattr(client, method)(_url(name, target))
    response.close()  # a file download holds its file open until closed
    assert response.status_code == _expected(role, placement, allowed, scoped)


@pytest.mark.parametrize("name", [*MATRIX, LOGOUT])
def test_anonymous_visitor_is_sent_to_log_in(client, target, name):
    method = MATRIX[name][0] if name in MATRIX else "post"
    response = getattr(client, method)(_url(name, target))
    response.close()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logged_in_user_may_log_out(client, login_verified, make_staff, unit):
    login_verified(client, make_staff(Role.ANALYST, unit))
    response = client.post(reverse(LOGOUT))
    assert response.status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 302


@pytest.mark.parametrize("name", PUBLIC_STAFF_URLS - {"accounts:password_reset_confirm"})
def test_log_in_pages_open_without_a_session(client, name):
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200

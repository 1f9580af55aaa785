"""One transition function for a case's status: every move — the officer's, the automatic
ones, a referral's — is checked against the flow, raises the version and is audited with
where it came from, where it went and why; and nothing else writes a case's status."""

import ast
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import coop4int
from coop4int.accounts.enums import Role
from coop4int.cases.domain import cases as domain
from coop4int.cases.domain import referrals
from coop4int.cases.enums import Channel, Direction, ReferralOutcome, Status
from coop4int.cases.models import Case
from coop4int.core.models import AuditEntry
from coop4int.directory.models import Service
from coop4int.people.domain.people import PersonDetails, give_consent, register_person
from coop4int.people.enums import ConsentMethod, Purpose

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


@pytest.fixture
def officer(make_staff, unit):
    return make_staff(Role.FRONT_OFFICE_OFFICER, unit)


def _open(unit, officer, **kwargs):
    values = {"actor": officer, "unit": unit, "channel": Channel.WALK_IN, "subject": "Visto",
              "at": AT}  # fmt: skip
    return domain.open_case(**(values | kwargs))[0]


def _moves(case):
    return [
        (entry["from"], entry["to"], entry["reason"])
        for entry in AuditEntry.objects.filter(
            action="cases.case.status_changed", object_id=str(case.pk)
        )
        .order_by("pk")
        .values_list("data", flat=True)
    ]


def test_a_transition_raises_the_version_and_is_audited_with_from_to_and_reason(unit, officer):
    """An officer's own words say why on the timeline, as an internal note that erasure
    strips; the log, which outlives it, keeps only which note and how long."""
    case = _open(unit, officer)
    version = case.version
    moved = domain.transition_case(
        actor=officer, case=case, to=Status.WAITING_PERSON, expected_version=version,
        reason="Waiting for the passport", at=AT + timedelta(hours=1),
    )  # fmt: skip
    assert moved
    case.refresh_from_db()
    assert case.status == Status.WAITING_PERSON
    assert case.version == version + 1
    assert case.last_activity_at == AT + timedelta(hours=1)
    note = case.interactions.get(body="Waiting for the passport")
    assert (note.channel, note.direction, note.is_public) == (
        Channel.NOTE, Direction.INTERNAL, False,
    )  # fmt: skip
    assert (note.author, note.occurred_at) == (officer, AT + timedelta(hours=1))
    entry = AuditEntry.objects.get(action="cases.case.status_changed")
    assert entry.actor == officer
    assert entry.unit == unit
    assert entry.data == {
        "from": "new",
        "to": "waiting_person",
        "reason": "",
        "reason_note": note.pk,
        "reason_length": len("Waiting for the passport"),
    }


def test_a_reason_given_as_a_code_stays_in_the_log_and_writes_no_note(unit, officer):
    case = _open(unit, officer)
    domain.transition_case(actor=officer, case=case, to=Status.OPEN,
                           reason=domain.REASON_ASSIGNED, at=AT)  # fmt: skip
    assert _moves(case) == [("new", "open", "assigned")]
    assert not case.interactions.filter(channel=Channel.NOTE).exists()


def test_a_refused_move_keeps_no_note_of_its_reason(unit, officer):
    case = _open(unit, officer)
    domain.transition_case(actor=officer, case=case, to=Status.CLOSED, at=AT)
    with pytest.raises(domain.NotAllowed):
        domain.transition_case(actor=officer, case=case, to=Status.WAITING_PARTNER,
                               reason="Sent to the clinic", at=AT)  # fmt: skip
    assert not case.interactions.filter(body="Sent to the clinic").exists()


def test_resolving_and_closing_keep_their_times_and_reopening_clears_them(unit, officer):
    case = _open(unit, officer)
    domain.transition_case(actor=officer, case=case, to=Status.RESOLVED, at=AT)
    domain.transition_case(actor=officer, case=case, to=Status.CLOSED, at=AT + timedelta(days=1))
    case.refresh_from_db()
    assert (case.resolved_at, case.closed_at) == (AT, AT + timedelta(days=1))
    domain.transition_case(actor=officer, case=case, to=Status.OPEN, at=AT + timedelta(days=2))
    case.refresh_from_db()
    assert (case.resolved_at, case.closed_at) == (None, None)


def test_a_move_the_flow_forbids_is_refused_and_nothing_changes(unit, officer):
    case = _open(unit, officer)
    domain.transition_case(actor=officer, case=case, to=Status.CLOSED, at=AT)
    version = case.version
    with pytest.raises(domain.NotAllowed):
        domain.transition_case(actor=officer, case=case, to=Status.WAITING_PARTNER, at=AT)
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.CLOSED, version)
    assert _moves(case) == [("new", "closed", "")]


def test_the_move_is_checked_against_the_case_as_stored_not_an_old_copy(unit, officer):
    case = _open(unit, officer)
    old_copy = Case.objects.get(pk=case.pk)  # still "new" in memory
    domain.transition_case(actor=officer, case=case, to=Status.CLOSED, at=AT)
    with pytest.raises(domain.NotAllowed):  # closed → waiting on a partner is not a move
        domain.transition_case(actor=officer, case=old_copy, to=Status.WAITING_PARTNER, at=AT)
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_a_transition_made_on_an_older_version_is_refused(unit, officer):
    case = _open(unit, officer)
    seen = case.version
    domain.add_note(actor=officer, case=case, body="Meanwhile")
    with pytest.raises(domain.StaleCase):
        domain.transition_case(
            actor=officer, case=case, to=Status.RESOLVED, expected_version=seen, at=AT
        )
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert _moves(case) == []


def test_moving_to_the_status_the_case_has_writes_nothing(unit, officer):
    case = _open(unit, officer)
    version = case.version
    assert not domain.transition_case(actor=officer, case=case, to=Status.NEW, at=AT)
    case.refresh_from_db()
    assert case.version == version
    assert _moves(case) == []


def test_the_first_reply_opens_a_new_case_through_the_transition(unit, officer):
    case = _open(unit, officer)
    version = case.version
    domain.reply(actor=officer, case=case, body="Bom dia", channel=Channel.WALK_IN,
                 expected_version=version)  # fmt: skip
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.first_reply_at is not None
    assert case.version > version
    assert _moves(case) == [("new", "open", "first_reply")]


def test_a_stale_first_reply_is_refused_and_the_case_stays_new(unit, officer):
    case = _open(unit, officer)
    seen = case.version
    domain.add_note(actor=officer, case=case, body="Meanwhile")
    with pytest.raises(domain.StaleCase):
        domain.reply(actor=officer, case=case, body="Bom dia", channel=Channel.WALK_IN,
                     expected_version=seen)  # fmt: skip
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert not case.interactions.filter(direction=Direction.OUT).exists()


def test_assigning_a_new_case_opens_it_through_the_transition(unit, officer, make_staff):
    case = _open(unit, officer)
    colleague = make_staff(Role.FRONT_OFFICE_OFFICER, unit)
    domain.assign_case(actor=officer, case=case, officer=colleague, expected_version=case.version)
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Status.OPEN, colleague)
    assert _moves(case) == [("new", "open", "assigned")]


def test_a_message_from_the_person_reopens_a_resolved_case_through_the_transition(unit, officer):
    case = _open(unit, officer)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    domain.add_interaction(actor=None, case=case, channel=Channel.EMAIL, direction=Direction.IN,
                           body="Ainda preciso de ajuda", is_public=True)  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == (Status.OPEN, None)
    assert _moves(case)[-1] == ("resolved", "open", "person_wrote")
    entry = AuditEntry.objects.filter(action="cases.case.status_changed").order_by("pk").last()
    assert entry is not None
    assert entry.actor is None  # the person, not staff


@pytest.fixture
def referred(unit, officer, partner_unit):
    person = register_person(actor=officer, unit=unit,
                             details=PersonDetails(given_names="Aminata"))  # fmt: skip
    give_consent(actor=officer, person=person, purpose=Purpose.REFERRAL,
                 method=ConsentMethod.VERBAL)  # fmt: skip
    case = _open(unit, officer, person=person)
    service = Service.objects.create(name="Consulta", unit=partner_unit)
    referral = referrals.refer_case(actor=officer, case=case, service=service, summary="x",
                                    share_phone=False)  # fmt: skip
    return case, referral


def test_referring_waits_on_the_partner_through_the_transition(referred):
    case, _referral = referred
    case.refresh_from_db()
    assert case.status == Status.WAITING_PARTNER
    assert _moves(case) == [("new", "waiting_partner", "referred")]


@pytest.mark.parametrize("answer", ["declined", "completed", "withdrawn"])
def test_the_partners_answer_or_a_withdrawal_reopens_through_the_transition(
    referred, officer, make_staff, partner_unit, answer
):
    case, referral = referred
    nurse = make_staff(Role.PARTNER_USER, partner_unit)
    version = Case.objects.get(pk=case.pk).version
    if answer == "declined":
        referrals.decline_referral(actor=nurse, referral=referral, reason="Sem vagas")
    elif answer == "completed":
        referrals.accept_referral(actor=nurse, referral=referral)
        referrals.record_outcome(actor=nurse, referral=referral, outcome=ReferralOutcome.SERVED)
    else:
        referrals.withdraw_referral(actor=officer, referral=referral)
    case.refresh_from_db()
    assert case.status == Status.OPEN
    assert case.version == version + 1
    assert _moves(case)[-1] == ("waiting_partner", "open", f"referral_{answer}")


def test_recording_satisfaction_raises_the_version_and_is_audited(unit, officer):
    case = _open(unit, officer)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    version = Case.objects.get(pk=case.pk).version
    assert domain.record_satisfaction(actor=officer, case=case, score=4, at=AT)
    case.refresh_from_db()
    assert (case.satisfaction, case.satisfaction_asked_at) == (4, AT)
    assert case.version == version + 1
    entry = AuditEntry.objects.get(action="cases.case.satisfaction")
    assert entry.data == {"score": 4}


def test_a_second_satisfaction_answer_changes_nothing(unit, officer):
    case = _open(unit, officer)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    domain.record_satisfaction(actor=officer, case=case, score=4)
    stale = Case.objects.get(pk=case.pk)
    stale.satisfaction = None  # as read before the first answer
    version = stale.version
    assert not domain.record_satisfaction(actor=None, case=stale, score=1)
    case.refresh_from_db()
    assert (case.satisfaction, case.version) == (4, version)
    assert AuditEntry.objects.filter(action="cases.case.satisfaction").count() == 1


def test_asking_satisfaction_raises_the_version_once(unit, officer):
    case = _open(unit, officer, channel=Channel.WEB, body="Olá", reply_email="ana@example.org")
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    case.refresh_from_db()
    assert case.satisfaction_asked_at is not None
    asked = case.satisfaction_asked_at
    domain.change_status(actor=officer, case=case, status=Status.OPEN)
    domain.change_status(actor=officer, case=case, status=Status.RESOLVED)
    case.refresh_from_db()
    assert case.satisfaction_asked_at == asked
    assert case.interactions.filter(direction=Direction.OUT).count() == 1


# --- Nothing else writes a case's status -----------------------------------------------------

SOURCE = Path(coop4int.__file__).parent
# Where a status may be written: the transition itself, and the creation of a case.
ALLOWED = {("cases/domain/cases.py", "transition_case"), ("cases/domain/cases.py", "open_case")}


# Query and dictionary methods that write the columns named in their keywords.
WRITERS = frozenset({"update", "create", "get_or_create", "update_or_create"})


def _mentions_case(node: ast.AST) -> bool:
    """Whether an expression's receiver is the Case model, a case or a set of cases."""
    for part in ast.walk(node):
        if isinstance(part, ast.Name) and (part.id == "Case" or "case" in part.id.lower()):
            return True
        if isinstance(part, ast.Attribute) and part.attr in ("cases", "case"):
            return True
    return False


def _is_status(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == "status"


def status_writes(source: str, in_cases_domain: bool) -> Iterator[tuple[int, str]]:
    """(line, enclosing function) of each write of a case's status in ``source``."""

    def visit(node: ast.AST, function: str) -> Iterator[tuple[int, str]]:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        found = False
        if isinstance(node, ast.Call):
            keywords = {k.arg for k in node.keywords}
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITERS and "status" in keywords:
                # Case.objects….update(status=…); in the cases domain, fields.update(status=…)
                # builds such a write too.
                found = _mentions_case(func.value) or (in_cases_domain and func.attr == "update")
            if isinstance(func, ast.Name) and func.id in ("_bump", "Case") and "status" in keywords:
                found = True
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1:
                found = _is_status(node.args[1]) and _mentions_case(node.args[0])
            if isinstance(func, ast.Attribute) and func.attr == "save":
                for keyword in node.keywords:
                    if keyword.arg == "update_fields" and _mentions_case(func.value):
                        found = found or any(_is_status(e) for e in ast.walk(keyword.value))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found = found or _mentions_case(target.value)
                if isinstance(target, ast.Subscript) and in_cases_domain:
                    found = found or _is_status(target.slice)
        elif isinstance(node, ast.Dict) and in_cases_domain:
            found = any(_is_status(key) for key in node.keys)
        if found:
            yield node.lineno, function  # type: ignore[attr-defined]
        for child in ast.iter_child_nodes(node):
            yield from visit(child, function)

    yield from visit(ast.parse(source), "")


def _modules() -> Iterator[tuple[str, str]]:
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        yield relative, path.read_text(encoding="utf-8")


def test_nothing_but_the_transition_function_writes_a_cases_status():
    offences = [
        f"{name}:{line} in {function or 'module'}"
        for name, source in _modules()
        for line, function in status_writes(source, name.startswith("cases/domain/"))
        if (name, function) not in ALLOWED
    ]
    assert offences == []


@pytest.mark.parametrize(
    "written",
    [
        "Case.objects.filter(pk=case.pk).update(status=Status.WAITING_PARTNER)",
        "case.status = Status.OPEN",
        "fields['status'] = Status.OPEN",
        "fields.update(status=Status.OPEN, resolved_at=None)",
        "_bump(case, None, status=Status.OPEN)",
        "setattr(case, 'status', 'open')",
        "case.save(update_fields=['status'])",
        "person.cases.update(status='open')",
        "Case.objects.create(status='open')",
    ],
)
def test_the_check_finds_each_way_of_writing_a_status(written):
    """The ways the code wrote a status before the transition function (and a few more)."""
    source = f"def refer_case():\n    {written}\n"
    assert [function for _line, function in status_writes(source, True)] == ["refer_case"]

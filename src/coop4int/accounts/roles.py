"""What each role may do — the one table. Object scope (own unit, …) lives in rules.py.

A permission is granted by holding any role that lists it. Views, templates and the API ask
``user.has_perm(code[, obj])``; the predicates in rules.py combine this table with scope.
"""

from enum import StrEnum

from coop4int.accounts.enums import Role


class Permission(StrEnum):
    USE_BACKOFFICE = "backoffice.access"
    VIEW_AUDIT_LOG = "core.view_auditlog"
    VIEW_UNITS = "accounts.view_unit"
    MANAGE_STAFF = "accounts.manage_staff"
    GRANT_ADMINISTRATOR = "accounts.grant_administrator"
    EDIT_DIRECTORY = "directory.change_service"
    PROPOSE_DIRECTORY_CHANGE = "directory.propose_change"
    EDIT_CONTENT = "content.change_item"
    WORK_CASES = "cases.work_case"
    VIEW_PERSON = "people.view_person"
    VIEW_PERSON_SENSITIVE = "people.view_sensitive"
    ANSWER_REFERRALS = "cases.answer_referral"
    VIEW_CASE_STATISTICS = "cases.view_statistics"
    MANAGE_CANNED_ANSWERS = "cases.manage_canned_answers"
    # Erasing a person's record and setting or lifting a legal hold on it (people/rules.py:
    # the unit that registered the person, or nationwide).
    ERASE_PERSON = "people.erase_person"
    # The person's right of access: their whole record exported (privacy/rules.py: within the
    # scoping rule, and only for those who may read its sensitive fields, which it holds).
    EXPORT_PERSON = "privacy.export_person"
    # The register of processing (what is held, why, for how long): no personal value in it.
    VIEW_PROCESSING_REGISTER = "privacy.view_register"
    # The breach log and its 72-hour clock for notifying the CNPD.
    MANAGE_BREACHES = "privacy.manage_breach"
    # Making a unit's services bookable, recording staff absences and setting how its waiting
    # room calls people (appointments/rules.py: the unit's own, or nationwide). Working the day
    # sheet and the queue is WORK_CASES.
    MANAGE_APPOINTMENTS = "appointments.manage"
    # Courses and their sessions, deciding applications, enrolling people and revoking
    # certificates (learning/rules.py: the course's unit, or nationwide).
    MANAGE_TRAINING = "learning.manage_training"
    # Taking attendance, recording assessments and marking completion (learning/rules.py: the
    # session's trainer, or whoever manages the course).
    TEACH = "learning.teach"
    # Enrolling a person served from their record (within the scoping rule).
    ENROL_PEOPLE = "learning.enrol_person"
    # Training statistics and the training records of staff and partner organisations.
    VIEW_TRAINING_STATISTICS = "learning.view_statistics"
    # The Migration Observatory: the indicator registry, importing, reviewing and publishing
    # datasets (the platform's own quarterly tables included) and the studies library.
    MANAGE_OBSERVATORY = "observatory.manage"
    # Local integration plans (localplans/rules.py, localplans/scope.py). Reading a plan in
    # the back office: its municipality's coordinators, the partners responsible for one of
    # its measures, nationwide users.
    VIEW_LOCAL_PLANS = "localplans.view_plan"
    # Writing and running a plan: its municipality's coordinators (or nationwide).
    MANAGE_LOCAL_PLANS = "localplans.manage_plan"
    # Updating a measure's progress and status: the plan's managers and the partner users of
    # the organisation responsible for it.
    UPDATE_PLAN_MEASURES = "localplans.update_measure"
    # Approving a plan and each of its monitoring reports: AAI.
    APPROVE_LOCAL_PLANS = "localplans.approve"
    # The list of intervention areas offered to every plan.
    CONFIGURE_PLAN_AREAS = "localplans.configure_areas"


_ALL_STAFF = {Permission.USE_BACKOFFICE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Administrators change the directory directly; proposing is for partners.
    Role.ADMINISTRATOR: frozenset(set(Permission) - {Permission.PROPOSE_DIRECTORY_CHANGE}),
    Role.UNIT_COORDINATOR: frozenset(
        _ALL_STAFF
        | {
            Permission.VIEW_UNITS,
            Permission.MANAGE_STAFF,
            Permission.EDIT_DIRECTORY,
            Permission.WORK_CASES,
            Permission.VIEW_PERSON_SENSITIVE,
            Permission.MANAGE_CANNED_ANSWERS,
            Permission.VIEW_CASE_STATISTICS,
            Permission.ERASE_PERSON,
            # Coordinators answer for their unit's processing; the register names no one.
            Permission.VIEW_PROCESSING_REGISTER,
            Permission.EXPORT_PERSON,
            Permission.MANAGE_APPOINTMENTS,
            Permission.MANAGE_TRAINING,
            Permission.TEACH,
            Permission.ENROL_PEOPLE,
            Permission.VIEW_TRAINING_STATISTICS,
        }
    ),
    # Officers need a person's residence status to advise them. They hand a person their
    # access export at the desk, where the person asks for it.
    Role.FRONT_OFFICE_OFFICER: frozenset(
        _ALL_STAFF
        | {
            Permission.WORK_CASES,
            Permission.VIEW_PERSON_SENSITIVE,
            Permission.VIEW_CASE_STATISTICS,
            Permission.EXPORT_PERSON,
            Permission.ENROL_PEOPLE,
        }
    ),
    Role.CONTENT_EDITOR: frozenset(
        _ALL_STAFF | {Permission.EDIT_DIRECTORY, Permission.EDIT_CONTENT}
    ),
    # Trainers (formadores) work the sessions they give: attendance, assessments, completion.
    Role.TRAINER: frozenset(_ALL_STAFF | {Permission.TEACH}),
    # Analysts read the case statistics of every unit (cases/rules.py), never the cases.
    Role.ANALYST: frozenset(
        _ALL_STAFF
        | {
            Permission.VIEW_CASE_STATISTICS,
            Permission.VIEW_TRAINING_STATISTICS,
            Permission.MANAGE_OBSERVATORY,
        }
    ),
    Role.PARTNER_USER: frozenset(
        _ALL_STAFF
        | {
            Permission.PROPOSE_DIRECTORY_CHANGE,
            Permission.ANSWER_REFERRALS,
            Permission.VIEW_LOCAL_PLANS,
            Permission.UPDATE_PLAN_MEASURES,
        }
    ),
    # A municipality's coordinator of its local integration plans (scoped to the municipality
    # of their unit, localplans/scope.py).
    Role.MUNICIPAL_COORDINATOR: frozenset(
        _ALL_STAFF
        | {
            Permission.VIEW_LOCAL_PLANS,
            Permission.MANAGE_LOCAL_PLANS,
            Permission.UPDATE_PLAN_MEASURES,
        }
    ),
}

# Roles whose holders act for every unit rather than their own.
NATIONWIDE_ROLES = frozenset({Role.ADMINISTRATOR})


def permissions_for(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)
